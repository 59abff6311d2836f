"""Two rounds of scripts/crash-under-load.py in the test suite: `flowline up` under metric writes
and DAG triggers, killed with SIGKILL after 1-5 s, restarted on the same data directory; nothing
acknowledged may be lost or doubled, every run must finish, the databases must pass
integrity_check. `scripts/crash-under-load.sh [ROUNDS]` runs more rounds (20 by default)."""
import importlib.util
from pathlib import Path

from conftest import ROOT, flowline_binary

ROUNDS = 2


def load_script():
    """scripts/crash-under-load.py as a module (its name has dashes, so not a plain import)."""
    specification = importlib.util.spec_from_file_location("crash_under_load", ROOT / "scripts" / "crash-under-load.py")
    module = importlib.util.module_from_spec(specification)
    specification.loader.exec_module(module)
    return module


def test_nothing_acknowledged_is_lost_after_kill_9_under_load(workdir):
    crash = load_script()
    lines = []
    results = crash.run_rounds(ROUNDS, flowline_binary(), Path(workdir) / "data", log=lines.append)
    report = "\n".join(lines) + "\n\n" + crash.summary(results)
    print("\n" + report)
    violations = [f"round {result.number}: {violation}" for result in results for violation in result.violations]
    assert not violations, "kill -9 under load broke a guarantee:\n" + "\n".join(violations) + "\n\n" + report
    assert all(result.writes_acknowledged > 0 for result in results), f"a round acknowledged no metric write at all:\n{report}"
    assert all(result.runs_triggered > 0 for result in results), f"a round acknowledged no triggered run at all:\n{report}"
