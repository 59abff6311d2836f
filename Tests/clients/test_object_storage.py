"""Artifacts in S3-compatible storage with the official client: proxied to SeaweedFS (which checks
signatures, presigned ones included), or written by the client itself to moto; multipart uploads;
and a store that is misconfigured, missing or unreachable."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from conftest import ObjectStore, RunningFlowline, flowline_binary, forget_mlflow_state, point_mlflow_at, run_example_dag, wait_for_serving


@pytest.fixture
def seaweedfs():
    store = ObjectStore("FLOWLINE_TEST_S3_URL")
    yield store
    store.clean()


@pytest.fixture
def moto():
    store = ObjectStore("FLOWLINE_TEST_MOTO_URL")
    yield store
    store.clean()


def serve(workdir, store, *extra):
    return RunningFlowline(
        ["tracking", "serve", "--port", "0", "--data-dir", workdir, "--log-level", "warning", *extra], workdir, env=store.environment
    )


@pytest.fixture
def client_of(monkeypatch):
    """Points the mlflow client at a tracking URL; stops the servers afterwards."""
    started = []

    def point(running):
        started.append(running)
        url = running.url("tracking")
        point_mlflow_at(url, monkeypatch)
        return url

    yield point
    forget_mlflow_state()
    for running in started:
        running.stop()


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_proxied_artifacts_are_objects_in_the_bucket(workdir, seaweedfs, client_of, tmp_path):
    running = serve(workdir, seaweedfs, "--artifacts-destination", seaweedfs.location)
    assert f"Artifacts: {seaweedfs.location} at {seaweedfs.endpoint}, proxied" in running.output
    url = client_of(running)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("hello")
    (tmp_path / "out" / "deep").mkdir()
    (tmp_path / "out" / "deep" / "weights.bin").write_bytes(os.urandom(3 << 20))
    mlflow.set_experiment("bucketed")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(tmp_path / "out"), "model")
    experiment = run.info.experiment_id
    assert run.info.artifact_uri == f"mlflow-artifacts:/{experiment}/{run.info.run_id}/artifacts"
    keys = seaweedfs.keys()
    root = f"{seaweedfs.prefix}/{experiment}/{run.info.run_id}/artifacts/model"
    assert sorted(keys) == [f"{root}/deep/weights.bin", f"{root}/notes.txt"]
    assert not [p for p in Path(workdir).rglob("*") if p.is_file() and "artifacts" in p.parts]
    # Listing (tracking API and artifact service), download of a folder, the UI's download link.
    files = MlflowClient().list_artifacts(run.info.run_id, "model")
    assert [(f.path, f.is_dir) for f in files] == [("model/deep", True), ("model/notes.txt", False)]
    back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="model", dst_path=str(tmp_path / "back"))
    assert digest(Path(back) / "deep" / "weights.bin") == digest(tmp_path / "out" / "deep" / "weights.bin")
    page = requests.get(f"{url}/get-artifact", params={"path": "model/notes.txt", "run_uuid": run.info.run_id})
    assert page.status_code == 200 and page.text == "hello"
    missing = requests.get(f"{url}/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run.info.run_id}/artifacts/none.txt")
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    # Deleting through the artifact service deletes the objects.
    deleted = requests.delete(f"{url}/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run.info.run_id}/artifacts/model/deep")
    assert deleted.status_code == 200
    assert seaweedfs.keys() == [f"{root}/notes.txt"]


@pytest.mark.parametrize("kind", ["seaweedfs", "moto"])
def test_multipart_uploads_go_straight_to_the_store(kind, workdir, client_of, tmp_path, monkeypatch, request):
    store = request.getfixturevalue(kind)
    running = serve(workdir, store, "--artifacts-destination", store.location)
    url = client_of(running)
    assert requests.get(f"{url}/api/3.0/mlflow/server-info").json()["multipart_uploads_enabled"] is True
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1 << 20))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 << 20))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 << 20))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), "data")
    key = f"{store.prefix}/0/{run.info.run_id}/artifacts/data/big.bin"
    assert store.keys("0/") == [key]
    head = store.client().head_object(Bucket=store.bucket, Key=key)
    assert head["ContentLength"] == 12 << 20
    assert "-3" in head["ETag"]  # three parts, joined by the store
    back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="data/big.bin", dst_path=str(tmp_path / "back"))
    assert digest(back) == digest(big)
    # The endpoints refuse what is not theirs to do.
    # Only the client file's name is used: passwd lands below 0/x, not anywhere else.
    named = requests.post(f"{url}/api/2.0/mlflow-artifacts/mpu/create/0/x", json={"path": "../../etc/passwd", "num_parts": 2})
    assert named.status_code == 200
    assert all(f"/{store.prefix}/0/x/passwd?" in part["url"] for part in named.json()["credentials"])
    aborted = requests.post(f"{url}/api/2.0/mlflow-artifacts/mpu/abort/0/x", json={"path": "passwd", "upload_id": named.json()["upload_id"]})
    assert aborted.status_code == 200
    too_many = requests.post(f"{url}/api/2.0/mlflow-artifacts/mpu/create/0/x", json={"path": "f", "num_parts": 10001})
    assert too_many.status_code == 400 and too_many.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    escape = requests.post(f"{url}/api/2.0/mlflow-artifacts/mpu/create/..%2F..%2Fx", json={"path": "f", "num_parts": 1})
    assert escape.status_code == 400


def test_a_multipart_upload_past_the_size_limit_is_deleted_again(workdir, moto, client_of, monkeypatch, tmp_path):
    running = serve(workdir, moto, "--artifacts-destination", moto.location, "--max-artifact-size", "6M")
    client_of(running)
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1 << 20))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 << 20))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 << 20))
    with mlflow.start_run():
        with pytest.raises(Exception):
            mlflow.log_artifact(str(big))
    assert not [key for key in moto.keys() if key.endswith("big.bin")]


def test_a_folder_destination_still_refuses_multipart_uploads_as_mlflow_does(workdir, client_of):
    running = RunningFlowline(["tracking", "serve", "--port", "0", "--data-dir", workdir, "--log-level", "warning"], workdir)
    url = client_of(running)
    assert requests.get(f"{url}/api/3.0/mlflow/server-info").json()["multipart_uploads_enabled"] is False
    answer = requests.post(f"{url}/api/2.0/mlflow-artifacts/mpu/create/0/x", json={"path": "f", "num_parts": 1})
    assert answer.status_code == 501
    assert answer.json()["message"].startswith("Multipart upload is not supported for the current artifact repository")


def test_without_proxying_the_client_writes_the_bucket_itself(workdir, moto, client_of, monkeypatch, tmp_path):
    running = serve(workdir, moto, "--no-serve-artifacts", "--default-artifact-root", moto.location)
    assert "not proxied" in running.output
    url = client_of(running)
    for name, value in moto.environment.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "a.txt").write_text("direct")
    mlflow.set_experiment("direct")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "a.txt"), "files")
    experiment = run.info.experiment_id
    assert run.info.artifact_uri == f"{moto.location}/{experiment}/{run.info.run_id}/artifacts"
    assert moto.keys() == [f"{moto.prefix}/{experiment}/{run.info.run_id}/artifacts/files/a.txt"]
    # The server lists and serves what the client wrote; its proxy is off, as MLflow's is.
    files = MlflowClient().list_artifacts(run.info.run_id, "files")
    assert [f.path for f in files] == ["files/a.txt"]
    assert requests.get(f"{url}/get-artifact", params={"path": "files/a.txt", "run_uuid": run.info.run_id}).text == "direct"
    off = requests.get(f"{url}/api/2.0/mlflow-artifacts/artifacts", params={"path": ""})
    assert off.status_code == 503 and "--no-serve-artifacts" in off.json()["message"]
    # The Default experiment of a server first started so is under the root too.
    assert mlflow.get_experiment("0").artifact_location == f"{moto.location}/0"
    # The server reads s3:// locations with its own keys: none outside its root may be chosen.
    with pytest.raises(mlflow.exceptions.MlflowException, match="below this server's --default-artifact-root"):
        MlflowClient().create_experiment("elsewhere", artifact_location="s3://another-bucket/secret")
    inside = MlflowClient().create_experiment("inside", artifact_location=f"{moto.location}/chosen/")
    assert MlflowClient().create_run(inside).info.artifact_uri.startswith(f"{moto.location}/chosen/")


def start_failure(workdir, environment, *arguments, timeout=60):
    """Runs `flowline tracking serve` expecting it to refuse to start; returns its stderr and how long it took."""
    started = time.monotonic()
    finished = subprocess.run(
        [flowline_binary(), "tracking", "serve", "--port", "0", "--data-dir", workdir, *arguments],
        env=dict(os.environ, **environment), capture_output=True, text=True, timeout=timeout,
    )
    assert finished.returncode != 0, finished.stdout
    return finished.stderr, time.monotonic() - started


def test_a_misconfigured_store_stops_the_start_with_what_to_fix(workdir, seaweedfs):
    wrong = dict(seaweedfs.environment, AWS_SECRET_ACCESS_KEY="not-the-secret")
    error, _ = start_failure(workdir, wrong, "--artifacts-destination", seaweedfs.location)
    assert "SignatureDoesNotMatch" in error or "AccessDenied" in error or "InvalidAccessKeyId" in error
    assert "AWS_SECRET_ACCESS_KEY" in error and "not-the-secret" not in error

    error, _ = start_failure(workdir, seaweedfs.environment, "--artifacts-destination", "s3://no-such-bucket-here/x")
    assert "NoSuchBucket" in error and "create the bucket s3://no-such-bucket-here" in error

    unreachable = dict(seaweedfs.environment, MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:9")
    error, seconds = start_failure(workdir, unreachable, "--artifacts-destination", seaweedfs.location)
    assert "cannot reach the store at http://127.0.0.1:9" in error and seconds < 30

    no_keys = {name: "" for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    error, _ = start_failure(workdir, no_keys, "--artifacts-destination", seaweedfs.location)
    assert "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in error

    error, _ = start_failure(workdir, seaweedfs.environment, "--artifacts-destination", "s3://Bad_Bucket/x")
    assert "not a bucket name" in error
    error, _ = start_failure(workdir, seaweedfs.environment, "--no-serve-artifacts")
    assert "--no-serve-artifacts needs --default-artifact-root s3://" in error


def test_the_example_pipeline_keeps_artifacts_and_run_data_in_the_bucket(workdir, seaweedfs):
    """`flowline up` with artifacts and run storage in the bucket: the example pipeline trains,
    registers and serves its model, and the data directory holds no artifact, output or log of an
    ended try afterwards; the logs are read back from the bucket."""
    running = RunningFlowline(
        ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--log-level", "warning",
         "--artifacts-destination", seaweedfs.location + "/artifacts", "--run-storage", seaweedfs.location + "/runs"],
        workdir, env=seaweedfs.environment,
    )
    try:
        assert f"Run storage: {seaweedfs.location}/runs at {seaweedfs.endpoint}" in running.output
        state, instances, logs = run_example_dag(running.url("orchestrator"))
        assert state == "success", {task: text[-1500:] for task, text in logs.items()}
        # Every try's log reads back whole, from the bucket.
        for task, text in logs.items():
            assert "Task succeeded" in text, (task, text[-2000:])
        keys = seaweedfs.keys()
        assert any(key.startswith(f"{seaweedfs.prefix}/runs/+logs/dag_id=alpha_orchestrated_experiment/") for key in keys), keys[:20]
        assert any(key.startswith(f"{seaweedfs.prefix}/runs/alpha_orchestrated_experiment/") for key in keys), keys[:20]
        assert any(key.startswith(f"{seaweedfs.prefix}/artifacts/") and key.endswith("/MLmodel") for key in keys), keys[:20]
        # The model server serves the registered model, read from the bucket through the tracking server.
        serving = running.url("serving")
        wait_for_serving(serving)
        answer = requests.post(f"{serving}/invocations", json={"inputs": [[1.0]]}, timeout=10)
        assert answer.status_code == 200, answer.text
    finally:
        running.stop()
    assert running.process.returncode == 0
    data = Path(workdir)
    for folder in ("artifacts", "run-storage", "logs"):
        files = [p for p in (data / "flowline-data" / folder).rglob("*") if p.is_file()] if (data / "flowline-data" / folder).exists() else []
        assert not files, f"{folder}: {files[:5]}"


def test_gc_deletes_deleted_runs_and_experiments_with_their_artifacts(workdir, seaweedfs, client_of, tmp_path):
    running = serve(workdir, seaweedfs, "--artifacts-destination", seaweedfs.location)
    client_of(running)
    (tmp_path / "f.txt").write_text("x")
    mlflow.set_experiment("kept")
    with mlflow.start_run() as doomed:
        mlflow.log_artifact(str(tmp_path / "f.txt"))
    with mlflow.start_run() as kept:
        mlflow.log_artifact(str(tmp_path / "f.txt"))
    gone = mlflow.create_experiment("gone")
    with mlflow.start_run(experiment_id=gone) as inside:
        mlflow.log_artifact(str(tmp_path / "f.txt"))
    with mlflow.start_run() as registered:
        mlflow.log_artifact(str(tmp_path / "f.txt"), "model")
    client = MlflowClient()
    client.create_registered_model("kept-model")
    client.create_model_version("kept-model", f"runs:/{registered.info.run_id}/model", registered.info.run_id)
    client.delete_run(doomed.info.run_id)
    client.delete_run(registered.info.run_id)  # a registered version's files: gc keeps them
    client.delete_experiment(gone)

    def gc(*arguments):
        return subprocess.run([flowline_binary(), "tracking", "gc", "--data-dir", workdir, "--artifacts-destination", seaweedfs.location, *arguments],
                              env=dict(os.environ, **seaweedfs.environment), capture_output=True, text=True, timeout=120)

    # Nothing was deleted a day ago; a run that is not deleted cannot be collected; a bad duration is refused.
    assert "0 run(s) deleted" in gc("--older-than", "1d").stdout
    refused = gc("--run-ids", kept.info.run_id)
    assert refused.returncode != 0 and "not in the deleted lifecycle stage" in refused.stderr
    assert gc("--older-than", "yesterday").returncode != 0

    collected = gc()
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "2 run(s) deleted permanently" in collected.stdout and f"Experiment {gone} deleted permanently" in collected.stdout
    keys = seaweedfs.keys()
    assert not [key for key in keys if doomed.info.run_id in key or inside.info.run_id in key], keys
    assert [key for key in keys if kept.info.run_id in key]
    assert [key for key in keys if registered.info.run_id in key]
    with pytest.raises(mlflow.exceptions.MlflowException, match="RESOURCE_DOES_NOT_EXIST|not found"):
        client.get_run(doomed.info.run_id)
    assert client.get_run(kept.info.run_id).info.lifecycle_stage == "active"
    assert mlflow.get_experiment_by_name("gone") is None
    mlflow.create_experiment("gone")  # the name is free again


def test_two_tracking_servers_on_one_database_and_one_bucket_behave_as_one(tmp_path, seaweedfs):
    """Replicas behind a load balancer: what one server writes, the other reads; version numbers
    and alias moves made concurrently through both stay consistent."""
    import concurrent.futures

    from conftest import postgres_schema_url

    base, schema, database = postgres_schema_url()
    servers = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            servers.append(RunningFlowline(["tracking", "serve", "--port", "0", "--data-dir", str(folder), "--log-level", "warning",
                                            "--backend-store-uri", database, "--artifacts-destination", seaweedfs.location],
                                           str(folder), env=seaweedfs.environment))
        first, second = (MlflowClient(tracking_uri=server.url("tracking")) for server in servers)
        experiment = first.create_experiment("replicated")
        run = first.create_run(experiment)
        for step in range(5):
            first.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
        (tmp_path / "weights.bin").write_bytes(os.urandom(1 << 20))
        first.log_artifact(run.info.run_id, str(tmp_path / "weights.bin"), "model")
        first.set_terminated(run.info.run_id)
        seen = second.get_run(run.info.run_id)
        assert seen.info.status == "FINISHED" and seen.data.metrics["loss"] == 0.2
        assert [m.step for m in second.get_metric_history(run.info.run_id, "loss")] == [0, 1, 2, 3, 4]
        assert [f.path for f in second.list_artifacts(run.info.run_id, "model")] == ["model/weights.bin"]
        back = second.download_artifacts(run.info.run_id, "model/weights.bin", str(tmp_path / "back"))
        assert digest(back) == digest(tmp_path / "weights.bin")

        first.create_registered_model("replicated-model")
        clients = [first, second]

        def create(index):
            return int(clients[index % 2].create_model_version("replicated-model", f"runs:/{run.info.run_id}/model", run.info.run_id).version)

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            versions = list(pool.map(create, range(24)))
        assert sorted(versions) == list(range(1, 25))

        def move(index):
            clients[index % 2].set_registered_model_alias("replicated-model", "champion", str(index % 24 + 1))

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(move, range(40)))
        final = {client.get_model_version_by_alias("replicated-model", "champion").version for client in clients}
        assert len(final) == 1
        second.set_registered_model_alias("replicated-model", "champion", "7")
        assert first.get_model_version_by_alias("replicated-model", "champion").version == "7"
    finally:
        for server in servers:
            server.stop()
        subprocess.run(["psql", base, "-q", "-c", f"DROP SCHEMA {schema} CASCADE"], check=True)


def test_a_model_served_from_the_bucket_without_proxying(workdir, moto, client_of, monkeypatch, tmp_path):
    """`--no-serve-artifacts`: the client logs a model straight to the bucket; `flowline models
    serve` resolves models:/…@champion through the server and reads the files from the bucket."""
    import numpy
    from sklearn.linear_model import LinearRegression

    running = serve(workdir, moto, "--no-serve-artifacts", "--default-artifact-root", moto.location)
    url = client_of(running)
    for name, value in moto.environment.items():
        monkeypatch.setenv(name, value)
    x = numpy.arange(10.0).reshape(-1, 1)
    model = LinearRegression().fit(x, 2.0 * x.ravel() + 1.0)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name="direct-line",
                                        metadata={"flowline_model": {"kind": "linear", "coefficients": [1.0, 2.0]}})
    MlflowClient().set_registered_model_alias("direct-line", "champion", info.registered_model_version)
    assert MlflowClient().get_model_version("direct-line", info.registered_model_version).source.startswith(("s3://", "models:/"))
    server = RunningFlowline(["models", "serve", "models:/direct-line@champion", "--tracking-uri", url, "--port", "0",
                              "--log-level", "warning"], workdir, env=moto.environment)
    try:
        serving = server.url("serving")
        wait_for_serving(serving)
        answer = requests.post(f"{serving}/invocations", json={"inputs": [[3.0]]}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"][0] == pytest.approx(7.0)
    finally:
        server.stop()


def test_a_store_that_goes_away_gives_mlflows_errors_not_a_hang(workdir, tmp_path):
    """A store lost after the start: uploads and downloads answer 503 TEMPORARILY_UNAVAILABLE in
    seconds (after the retries), and work again once it is back."""
    from conftest import free_port

    port = free_port()
    moto_server = os.path.join(os.path.dirname(sys.executable), "moto_server")

    def start_store():
        process = subprocess.Popen([moto_server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                return process
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("moto did not start")

    store = start_store()
    environment = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1",
                   "MLFLOW_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    import boto3
    boto3.client("s3", endpoint_url=environment["MLFLOW_S3_ENDPOINT_URL"], aws_access_key_id="k", aws_secret_access_key="s",
                 region_name="us-east-1").create_bucket(Bucket="outage")
    running = RunningFlowline(["tracking", "serve", "--port", "0", "--data-dir", workdir, "--log-level", "error",
                               "--artifacts-destination", "s3://outage/a"], workdir, env=environment)
    try:
        base = f"{running.url('tracking')}/api/2.0/mlflow-artifacts/artifacts/1/run/f.txt"
        assert requests.put(base, data=b"before", timeout=30).status_code == 200
        store.terminate()
        store.wait(timeout=10)
        started = time.monotonic()
        for answer in (requests.put(base, data=b"during", timeout=60), requests.get(base, timeout=60)):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
            assert "cannot reach the store" in answer.json()["message"]
        assert time.monotonic() - started < 30
        store = start_store()  # moto keeps nothing: the bucket is new again
        boto3.client("s3", endpoint_url=environment["MLFLOW_S3_ENDPOINT_URL"], aws_access_key_id="k", aws_secret_access_key="s",
                     region_name="us-east-1").create_bucket(Bucket="outage")
        assert requests.put(base, data=b"after", timeout=30).status_code == 200
        assert requests.get(base, timeout=30).content == b"after"
    finally:
        running.stop()
        store.terminate()
        store.wait(timeout=10)
