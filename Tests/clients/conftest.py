"""Fixtures that run the built `flowline` binary as a user would, on loopback ephemeral ports."""
import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def flowline_binary() -> str:
    binary = os.path.abspath(os.environ.get("FLOWLINE_BIN", str(ROOT / ".build" / "debug" / "flowline")))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"flowline binary not found at {binary}: run `swift build` first or set FLOWLINE_BIN")
    return binary


class RunningFlowline:
    """A `flowline` process started with `args`, whose printed service URLs are parsed."""

    def __init__(self, args, cwd, env=None):
        self.process = subprocess.Popen(
            [flowline_binary(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=None if env is None else dict(os.environ, **env),
        )
        self.output = ""
        # The log is read as it comes (its last 4,096 lines kept): a pipe nobody reads fills up, and a
        # server that logs much (800 connections closed at shutdown) would block on it and never stop.
        self.log = collections.deque(maxlen=4096)
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        deadline = time.monotonic() + 30
        while "Press Ctrl-C to stop." not in self.output:
            line = self.process.stdout.readline()
            if not line:
                self.process.wait(timeout=10)
                raise RuntimeError(f"flowline exited early: {''.join(self.log)}")
            self.output += line
            if time.monotonic() > deadline:
                raise RuntimeError(f"flowline did not start: {self.output}")
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()

    def _drain(self, stream):
        for line in iter(stream.readline, ""):
            self.log.append(line[-64:] if len(line) > 4096 else line)

    def url(self, service: str) -> str:
        match = re.search(rf"^\s*{service}\s+(http://\S+)", self.output, re.MULTILINE)
        assert match, f"no {service} URL in {self.output!r}"
        return match.group(1)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="flowline-clients-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def samples_url(workdir):
    running = RunningFlowline(["samples", "serve", "--port", "0", "--log-level", "warning"], workdir)
    yield running.url("samples")
    running.stop()
    assert running.process.returncode == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def mlflow_reference_server():
    """MLflow's own server, for running the tracking suite against the reference
    (FLOWLINE_TRACKING_TARGET=mlflow, or `scripts/test.sh --against-mlflow`)."""
    if "mlflow" not in tracking_backends():
        yield None
        return
    import requests

    folder = tempfile.mkdtemp(prefix="mlflow-reference-")
    port = free_port()
    environment = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{folder}/mlflow.db", "--artifacts-destination", f"{folder}/artifacts", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("mlflow server did not start")
        time.sleep(0.5)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)


def tracking_backends():
    """The stores the tracking suite runs on: SQLite; PostgreSQL when the test command started one
    (FLOWLINE_TEST_POSTGRES_URL); artifacts proxied to SeaweedFS ("s3", FLOWLINE_TEST_S3_URL) and
    artifacts the client writes to moto itself ("s3-direct", FLOWLINE_TEST_MOTO_URL) when it
    started those. Against MLflow's own server, just that."""
    if os.environ.get("FLOWLINE_TRACKING_TARGET") == "mlflow":
        return ["mlflow"]
    backends = ["sqlite"]
    if os.environ.get("FLOWLINE_TEST_POSTGRES_URL") or os.environ.get("CI"):
        backends.append("postgresql")
    if os.environ.get("FLOWLINE_TEST_S3_URL") or os.environ.get("CI"):
        backends.append("s3")
    if os.environ.get("FLOWLINE_TEST_MOTO_URL") or os.environ.get("CI"):
        backends.append("s3-direct")
    return backends


class ObjectStore:
    """The S3-compatible store of FLOWLINE_TEST_S3_URL or FLOWLINE_TEST_MOTO_URL
    (http://KEY:SECRET@HOST:PORT/BUCKET, as scripts/s3.sh prints it), with a fresh prefix."""

    def __init__(self, variable="FLOWLINE_TEST_S3_URL"):
        from urllib.parse import urlsplit

        text = os.environ.get(variable)
        if not text:
            pytest.fail(f"{variable} is not set: run the tests with scripts/test.sh, which starts the S3-compatible stores")
        url = urlsplit(text)
        self.endpoint = f"http://{url.hostname}:{url.port}"
        self.key, self.secret = url.username, url.password
        self.bucket = url.path.strip("/")
        self.prefix = "clients-" + os.urandom(8).hex()
        self.location = f"s3://{self.bucket}/{self.prefix}"
        self.environment = {
            "AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": "us-east-1", "MLFLOW_S3_ENDPOINT_URL": self.endpoint,
        }

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.key,
                            aws_secret_access_key=self.secret, region_name="us-east-1")

    def keys(self, prefix=""):
        """Every key below this store's prefix (and `prefix` below it)."""
        paginator = self.client().get_paginator("list_objects_v2")
        return [item["Key"] for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/{prefix}")
                for item in page.get("Contents", [])]

    def clean(self):
        client = self.client()
        keys = self.keys()
        for start in range(0, len(keys), 1000):
            client.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in keys[start:start + 1000]]})


def postgres_schema_url():
    """A new, empty schema of the test PostgreSQL server, as a database URL; dropped by the caller."""
    base = os.environ.get("FLOWLINE_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("FLOWLINE_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL")
    schema = "clients_" + os.urandom(8).hex()
    subprocess.run(["psql", base, "-q", "-c", f"CREATE SCHEMA {schema}"], check=True)
    return base, schema, f"{base}?search_path={schema}"


@pytest.fixture(params=tracking_backends())
def tracking_url(request, workdir, monkeypatch, mlflow_reference_server):
    """A tracking server with the mlflow client pointed at it: a fresh `flowline tracking serve`
    on an ephemeral port (on SQLite, and on PostgreSQL when available), or MLflow's own server
    when the suite runs against the reference."""
    running, schema, store = None, None, None
    if request.param == "mlflow":
        url = mlflow_reference_server
    else:
        arguments = ["tracking", "serve", "--port", "0", "--data-dir", workdir, "--log-level", "warning"]
        if request.param == "postgresql":
            base, schema, database = postgres_schema_url()
            arguments += ["--backend-store-uri", database]
        if request.param == "s3":
            store = ObjectStore("FLOWLINE_TEST_S3_URL")
            arguments += ["--artifacts-destination", store.location]
        if request.param == "s3-direct":
            # The client reads and writes the bucket itself (boto3), as with `mlflow server --no-serve-artifacts`.
            store = ObjectStore("FLOWLINE_TEST_MOTO_URL")
            arguments += ["--no-serve-artifacts", "--default-artifact-root", store.location]
            for name, value in store.environment.items():
                monkeypatch.setenv(name, value)
            monkeypatch.setenv("FLOWLINE_TEST_ARTIFACT_ROOT", store.location)
        running = RunningFlowline(arguments, workdir, env=store.environment if store else None)
        url = running.url("tracking")
    point_mlflow_at(url, monkeypatch)
    yield url
    forget_mlflow_state()
    if running:
        running.stop()
        assert running.process.returncode == 0
    if schema:
        subprocess.run(["psql", base, "-q", "-c", f"DROP SCHEMA {schema} CASCADE"], check=True)
    if store:
        if request.param == "s3":
            # Proxied: every artifact is in the bucket, none in the data directory.
            leftovers = [path for path in Path(workdir).rglob("*") if path.is_file() and "artifacts" in path.parts]
            assert not leftovers, f"artifact files in the data directory: {leftovers[:5]}"
        store.clean()


def point_mlflow_at(url, monkeypatch):
    """Points the mlflow client (its variable and its fluent API) at the tracking server `url`."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    # A server bug should fail a test at once, not after minutes of client retries.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(url)
    forget_mlflow_state()


def forget_mlflow_state():
    """Ends open runs and forgets the active experiment, which the fluent API keeps across tests."""
    import mlflow

    while mlflow.active_run():
        mlflow.end_run()
    mlflow.tracking.fluent._active_experiment_id = None
    os.environ.pop("MLFLOW_EXPERIMENT_ID", None)


def run_example_dag(base, timeout=240):
    """Triggers alpha_orchestrated_experiment on the orchestrator at `base` as the admin and waits
    for it to end; returns its state, its task instances and each first try's log."""
    import requests

    token = requests.post(f"{base}/auth/token", json={"username": "alice", "password": "bob"}, timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    runs = f"{base}/api/v2/dags/alpha_orchestrated_experiment/dagRuns"
    triggered = requests.post(runs, json={"logical_date": None}, headers=headers, timeout=10)
    assert triggered.status_code == 200, triggered.text
    run = f"{runs}/{triggered.json()['dag_run_id']}"
    deadline = time.monotonic() + timeout
    while True:
        state = requests.get(run, headers=headers, timeout=10).json()["state"]
        if state in ("success", "failed") or time.monotonic() > deadline:
            break
        time.sleep(1)
    instances = requests.get(f"{run}/taskInstances", headers=headers, timeout=10).json()["task_instances"]
    logs = {ti["task_id"]: requests.get(f"{run}/taskInstances/{ti['task_id']}/logs/1", headers={**headers, "Accept": "text/plain"},
                                        timeout=10).text for ti in instances}
    return state, instances, logs


def wait_for_serving(url, timeout=60):
    """Waits until the model server at `url` has a model (`/ping` answers 200)."""
    import requests

    deadline = time.monotonic() + timeout
    while requests.get(f"{url}/ping", timeout=10).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)


@pytest.fixture
def stack(workdir):
    running = RunningFlowline(["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--log-level", "warning"], workdir)
    yield running
    running.stop()
    assert running.process.returncode == 0


def gone(element):
    """A WebDriverWait condition: `element` has left the page (the form posted, the link was
    followed). Chromium reports a node of the old page as stale or as "not belonging to the
    document", depending on when it is asked."""
    from selenium.common.exceptions import WebDriverException

    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check
