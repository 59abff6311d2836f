"""Logins on the tracking server with the orchestrator's users, through what the official client
sends: HTTP basic (MLFLOW_TRACKING_USERNAME/PASSWORD) and bearer tokens (MLFLOW_TRACKING_TOKEN);
the roles' limits; tasks of the example pipeline with their own short-lived tokens."""
import subprocess

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from conftest import RunningFlowline, flowline_binary, forget_mlflow_state, point_mlflow_at, run_example_dag


@pytest.fixture
def guarded(workdir, monkeypatch):
    """`flowline up --tracking-auth on`, with a viewer and an op besides the admin alice/bob."""
    running = RunningFlowline(["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0",
                               "--log-level", "warning", "--tracking-auth", "on"], workdir)
    for name, role in (("vera", "viewer"), ("otto", "op")):
        subprocess.run([flowline_binary(), "users", "create", name, "--role", role], input=f"{name}-pass\n", text=True,
                       cwd=workdir, check=True, capture_output=True, timeout=60)
    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    point_mlflow_at(running.url("tracking"), monkeypatch)
    yield running
    forget_mlflow_state()
    running.stop()
    assert running.process.returncode == 0


def login(monkeypatch, user, password):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)


def test_users_and_roles_of_the_orchestrator_log_in_to_the_tracking_server(guarded, monkeypatch):
    url = guarded.url("tracking")
    assert "Tracking logins: on" in guarded.output
    # Nobody, or a wrong password: 401 in MLflow's shape, with the challenge a browser answers.
    anonymous = requests.get(f"{url}/api/2.0/mlflow/experiments/search", params={"max_results": 1}, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error_code"] == "UNAUTHENTICATED"
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert requests.get(f"{url}/", timeout=10).status_code == 401  # the web UI too
    assert requests.get(f"{url}/health", timeout=10).status_code == 200
    wrong = requests.get(f"{url}/api/2.0/mlflow/experiments/search", params={"max_results": 1}, auth=("alice", "nope"), timeout=10)
    assert wrong.status_code == 401
    with pytest.raises(MlflowException):
        MlflowClient().search_experiments()

    # An op logs a run and registers a model with the official client (basic auth).
    login(monkeypatch, "otto", "otto-pass")
    mlflow.set_experiment("guarded")
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 0.5)
        mlflow.log_text("hello", "notes.txt")
    client = MlflowClient()
    client.create_registered_model("guarded-model")
    version = client.create_model_version("guarded-model", f"runs:/{run.info.run_id}/notes.txt", run.info.run_id)
    client.set_registered_model_alias("guarded-model", "champion", version.version)
    # ...but may not delete the registered model, nor delete or replace the files behind it: an admin's.
    with pytest.raises(MlflowException, match="PERMISSION_DENIED|403"):
        client.delete_registered_model("guarded-model")
    notes = f"{url}/api/2.0/mlflow-artifacts/artifacts/{run.info.experiment_id}/{run.info.run_id}/artifacts/notes.txt"
    assert requests.put(notes, data=b"replaced", auth=("otto", "otto-pass"), timeout=10).status_code == 403
    assert requests.delete(notes, auth=("otto", "otto-pass"), timeout=10).status_code == 403
    assert requests.get(notes, auth=("otto", "otto-pass"), timeout=10).text == "hello"
    assert requests.put(notes.replace("notes.txt", "more.txt"), data=b"new", auth=("otto", "otto-pass"), timeout=10).status_code == 200

    # A viewer reads everything and writes nothing.
    login(monkeypatch, "vera", "vera-pass")
    viewer = MlflowClient()
    assert viewer.get_run(run.info.run_id).data.metrics["loss"] == 0.5
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.txt") == "hello"
    assert viewer.get_model_version_by_alias("guarded-model", "champion").version == version.version
    with pytest.raises(MlflowException, match="PERMISSION_DENIED|403"):
        viewer.log_metric(run.info.run_id, "loss", 0.1)
    upload = requests.put(f"{url}/api/2.0/mlflow-artifacts/artifacts/x/y.txt", data=b"no", auth=("vera", "vera-pass"), timeout=10)
    assert upload.status_code == 403 and upload.json()["error_code"] == "PERMISSION_DENIED"

    # The admin, with a bearer token from the orchestrator (MLFLOW_TRACKING_TOKEN), may delete it.
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")
    token = requests.post(f"{guarded.url('orchestrator')}/auth/token", json={"username": "alice", "password": "bob"}, timeout=10).json()["access_token"]
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    MlflowClient().delete_registered_model("guarded-model")
    forged = requests.get(f"{url}/api/2.0/mlflow/experiments/search", params={"max_results": 1},
                          headers={"Authorization": f"Bearer {token[:-4]}AAAA"}, timeout=10)
    assert forged.status_code == 401


def test_the_example_pipeline_runs_with_its_tasks_own_tokens(guarded, monkeypatch):
    """Tasks log to a tracking server that asks for logins with a token of their own try, which
    the orchestrator's API refuses; their logs never show it."""
    state, _, logs = run_example_dag(guarded.url("orchestrator"))
    assert state == "success", {task: text[-1500:] for task, text in logs.items()}
    assert not any("eyJ" in text for text in logs.values()), "a token shows in a log"
    # The model was registered by the tasks, through their tokens.
    login(monkeypatch, "vera", "vera-pass")
    assert MlflowClient().get_model_version_by_alias("line-model", "champion")
