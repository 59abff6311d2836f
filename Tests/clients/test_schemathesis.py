"""The orchestrator's and the samples service's APIs against their own OpenAPI documents, with
schemathesis (see schemathesis_run.py): a bounded, seeded run for the test suite; the script
`scripts/schemathesis.sh` runs longer, with fresh seeds."""
from schemathesis_run import run_both, summary


def test_apis_match_their_openapi_documents(stack):
    for name, result in run_both(stack.url("orchestrator"), stack.url("samples"), examples=15, seed="20261130"):
        assert result.returncode == 0, f"{name}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
        assert "generated" in summary(result.stdout)
