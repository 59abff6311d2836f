"""The official mlflow client against `flowline tracking serve`, unchanged: the flows users run."""
import json
import os

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def test_logging_a_training_run(tracking_url):
    # What the original DAG's training step logged.
    mlflow.set_experiment("alpha_orchestrated_experiment")
    with mlflow.start_run(run_name="train") as run:
        mlflow.log_params({"coefficient": 2.5, "intercept": -0.75, "model-url": "file:///repo", "model-gitsha": "abc123"})
        mlflow.log_metrics({"training-R2-score": 0.98, "test-R2-score": 0.97})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.set_tag("flowline.dag_id", "alpha_orchestrated_experiment")
        mlflow.log_metric("nan-metric", float("nan"))
    fetched = MlflowClient().get_run(run.info.run_id)
    assert fetched.info.status == "FINISHED"
    assert fetched.info.run_name == "train"
    assert fetched.data.params == {"coefficient": "2.5", "intercept": "-0.75", "model-url": "file:///repo", "model-gitsha": "abc123"}
    assert fetched.data.metrics["training-R2-score"] == 0.98
    assert fetched.data.metrics["loss"] == pytest.approx(0.2)
    assert fetched.data.metrics["nan-metric"] != fetched.data.metrics["nan-metric"]  # NaN survives the round trip
    assert fetched.data.tags["flowline.dag_id"] == "alpha_orchestrated_experiment"
    history = MlflowClient().get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert [m.value for m in history] == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2])
    experiment = mlflow.get_experiment_by_name("alpha_orchestrated_experiment")
    assert experiment.experiment_id == fetched.info.experiment_id
    # Proxied artifacts by default; with --no-serve-artifacts, a folder of --default-artifact-root.
    root = os.environ.get("FLOWLINE_TEST_ARTIFACT_ROOT", "mlflow-artifacts:")
    assert experiment.artifact_location == f"{root}/{experiment.experiment_id}"


def test_a_failed_run_in_a_with_block_is_marked_failed(tracking_url):
    with pytest.raises(ZeroDivisionError):
        with mlflow.start_run() as run:
            mlflow.log_param("attempt", 1)
            1 / 0
    assert MlflowClient().get_run(run.info.run_id).info.status == "FAILED"


def test_nested_runs(tracking_url):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("m", 1)
    fetched = MlflowClient().get_run(child.info.run_id)
    assert fetched.data.tags["mlflow.parentRunId"] == parent.info.run_id


def test_artifacts_round_trip(tracking_url, tmp_path):
    payload = os.urandom(5 * 1024 * 1024 + 123)
    (tmp_path / "weights.bin").write_bytes(payload)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.txt").write_text("hello")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "weights.bin"), artifact_path="checkpoints")
        mlflow.log_artifacts(str(tmp_path / "folder"), artifact_path="docs")
        mlflow.log_text("some text", "report.txt")
        mlflow.log_dict({"a": 1}, "config.json")
    client = MlflowClient()
    assert sorted(f.path for f in client.list_artifacts(run.info.run_id)) == ["checkpoints", "config.json", "docs", "report.txt"]
    [weights] = client.list_artifacts(run.info.run_id, "checkpoints")
    assert weights.path == "checkpoints/weights.bin" and weights.file_size == len(payload)
    target = tmp_path / "download"
    target.mkdir()
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(target))
    assert open(os.path.join(local, "checkpoints", "weights.bin"), "rb").read() == payload
    assert open(os.path.join(local, "docs", "notes.txt")).read() == "hello"
    with open(os.path.join(local, "config.json")) as config:
        assert json.load(config) == {"a": 1}
    assert open(os.path.join(local, "report.txt")).read() == "some text"


def test_errors_reach_the_client_with_mlflows_codes(tracking_url):
    client = MlflowClient()
    with pytest.raises(MlflowException) as missing:
        client.get_run("0123456789abcdef0123456789abcdef")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with mlflow.start_run() as run:
        mlflow.log_param("lr", 0.1)
        with pytest.raises(MlflowException) as changed:
            mlflow.log_param("lr", 0.2)
        assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
        assert "Changing param values is not allowed" in str(changed.value)
    with pytest.raises(MlflowException) as exists:
        client.create_experiment("Default")
    assert exists.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_search_runs_with_filters_ordering_and_paging(tracking_url):
    client = MlflowClient()
    experiment_id = client.create_experiment("search")
    for i in range(230):
        run = client.create_run(experiment_id, run_name=f"run-{i:03d}", start_time=1_700_000_000_000 + i)
        client.log_batch(
            run.info.run_id,
            metrics=[mlflow.entities.Metric("rmse", i / 100, 0, 0)],
            params=[mlflow.entities.Param("model", "linear" if i % 2 == 0 else "poly")],
        )
    # Every page, then the union: each run exactly once.
    seen, token = [], None
    while True:
        page = client.search_runs([experiment_id], "params.model = 'linear'", order_by=["metrics.rmse DESC"], max_results=40, page_token=token)
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    assert len(seen) == 115 and len(set(seen)) == 115
    assert seen[0] == "run-228" and seen[-1] == "run-000"
    frame = mlflow.search_runs([experiment_id], filter_string="metrics.rmse < 0.05 AND params.model = 'poly'")
    assert sorted(frame["tags.mlflow.runName"]) == ["run-001", "run-003"]
    with pytest.raises(MlflowException) as bad:
        client.search_runs([experiment_id], "metrics.rmse = 'low'")
    assert bad.value.error_code == "INVALID_PARAMETER_VALUE"
    names = [e.name for e in mlflow.search_experiments(filter_string="name LIKE 'sea%'")]
    assert names == ["search"]


def test_the_original_training_step_with_a_scikit_learn_model(tracking_url):
    import numpy as np
    from sklearn.linear_model import LinearRegression

    mlflow.set_experiment("alpha_orchestrated_experiment")
    rng = np.random.default_rng(0)
    x = rng.random((1000, 1))
    y = 2 * x[:, 0] + 1 + rng.normal(0, 0.1, 1000)
    with mlflow.start_run() as run:
        model = LinearRegression().fit(x, y)
        mlflow.log_params({"coefficient": model.coef_[0], "intercept": model.intercept_})
        mlflow.log_metrics({"training-R2-score": model.score(x, y)})
        info = mlflow.sklearn.log_model(model, name="model")
    for uri in [f"runs:/{run.info.run_id}/model", info.model_uri]:
        loaded = mlflow.pyfunc.load_model(uri)
        assert (loaded.predict(x[:50]) == model.predict(x[:50])).all()
    logged = mlflow.get_logged_model(info.model_id)
    assert logged.status == "READY" and logged.source_run_id == run.info.run_id


def test_model_registry_versions_aliases_and_loading(tracking_url):
    import numpy as np
    from sklearn.linear_model import LinearRegression

    client = MlflowClient()
    x = np.arange(20, dtype=float).reshape(-1, 1)
    models = []
    for slope in (2.0, 3.0):
        with mlflow.start_run() as run:
            model = LinearRegression().fit(x, slope * x[:, 0] + 1)
            mlflow.sklearn.log_model(model, name="model", registered_model_name="noisy-line-model")
            models.append((run.info.run_id, model))
    versions = client.search_model_versions("name = 'noisy-line-model'")
    assert sorted(v.version for v in versions) == ["1", "2"]
    client.set_registered_model_alias("noisy-line-model", "champion", "1")
    client.set_registered_model_tag("noisy-line-model", "owner", "alice")
    client.set_model_version_tag("noisy-line-model", "2", "validated", "yes")
    assert client.get_model_version_by_alias("noisy-line-model", "champion").version == "1"
    champion = mlflow.pyfunc.load_model("models:/noisy-line-model@champion")
    assert (champion.predict(x[:5]) == models[0][1].predict(x[:5])).all()
    second = mlflow.pyfunc.load_model("models:/noisy-line-model/2")
    assert (second.predict(x[:5]) == models[1][1].predict(x[:5])).all()
    client.set_registered_model_alias("noisy-line-model", "champion", "2")  # aliases move
    registered = client.get_registered_model("noisy-line-model")
    assert registered.aliases == {"champion": "2"} and registered.tags == {"owner": "alice"}
    assert client.get_model_version("noisy-line-model", "2").tags == {"validated": "yes"}
    assert [v.name for v in client.search_registered_models(filter_string="name LIKE 'noisy%'")] == ["noisy-line-model"]
    moved = client.transition_model_version_stage("noisy-line-model", "2", "Production", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    with pytest.raises(MlflowException) as reserved:
        client.set_registered_model_alias("noisy-line-model", "latest", "1")
    assert reserved.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as missing:
        client.get_model_version("noisy-line-model", "99")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    client.rename_registered_model("noisy-line-model", "line-model")
    assert client.get_model_version_by_alias("line-model", "champion").version == "2"
    client.delete_registered_model("line-model")
    with pytest.raises(MlflowException):
        client.get_registered_model("line-model")


def test_dataset_inputs_are_recorded_and_searchable(tracking_url):
    import pandas as pd

    frame = pd.DataFrame({"x": [0.1, 0.2], "y": [1.1, 1.2]})
    dataset = mlflow.data.from_pandas(frame, source="samples.json", name="training-samples", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    fetched = MlflowClient().get_run(run.info.run_id)
    [used] = fetched.inputs.dataset_inputs
    assert used.dataset.name == "training-samples" and used.dataset.digest == dataset.digest
    assert {t.key: t.value for t in used.tags}["mlflow.data.context"] == "training"
    found = MlflowClient().search_runs([run.info.experiment_id], "datasets.name = 'training-samples' AND datasets.context = 'training'")
    assert [r.info.run_id for r in found] == [run.info.run_id]


def _line_model():
    import numpy as np
    from sklearn.linear_model import LinearRegression

    x = np.arange(10, dtype=float).reshape(-1, 1)
    return LinearRegression().fit(x, 2 * x[:, 0] + 1)


class _Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        return model_input * 2


def test_a_model_version_registered_by_log_model_carries_the_run_id(tracking_url):
    client = MlflowClient()
    mlflow.set_experiment("registered-while-logged")
    with mlflow.start_run() as run:
        sklearn_info = mlflow.sklearn.log_model(
            _line_model(), name="model", registered_model_name="run-linked", pip_requirements=["scikit-learn"]
        )
        pyfunc_info = mlflow.pyfunc.log_model(
            name="doubler", python_model=_Doubler(), registered_model_name="run-linked", pip_requirements=["pandas"]
        )
    # The client sends only the logged model (source models:/m-…, model_id); the server takes the
    # run from the logged model's source run.
    for number, info in [("1", sklearn_info), ("2", pyfunc_info)]:
        version = client.get_model_version("run-linked", number)
        assert version.run_id == run.info.run_id
        assert version.source == f"models:/{info.model_id}"
        # MLflow's registry keeps the source and the run, not the model id: it reads back empty.
        assert version.model_id is None
        assert client.get_model_version_download_uri("run-linked", number) == mlflow.get_logged_model(info.model_id).artifact_location
    # The server lists the version on the logged model (the version a number), then the client does
    # (a string).
    assert mlflow.get_logged_model(sklearn_info.model_id).tags["mlflow.modelVersions"] == (
        '[{"name": "run-linked", "version": 1}, {"name": "run-linked", "version": "1"}]'
    )
    found = client.search_model_versions(f"run_id = '{run.info.run_id}'")
    assert sorted((v.version, v.run_id) for v in found) == [("1", run.info.run_id), ("2", run.info.run_id)]


def test_metrics_logged_for_a_model_carry_their_run_id(tracking_url):
    client = MlflowClient()
    mlflow.set_experiment("model-metrics")
    with mlflow.start_run() as run:
        mlflow.log_metric("rmse", 0.5)  # step 0: log_model copies it to the model it logs at step 0
        info = mlflow.sklearn.log_model(_line_model(), name="model", pip_requirements=["scikit-learn"])
        mlflow.log_metric("accuracy", 0.875, step=3, model_id=info.model_id)
    run_id, model_id = run.info.run_id, info.model_id
    model = mlflow.get_logged_model(model_id)
    assert sorted((m.key, m.value, m.step, m.run_id, m.model_id) for m in model.metrics) == [
        ("accuracy", 0.875, 3, run_id, model_id),
        ("rmse", 0.5, 0, run_id, model_id),
    ]
    [found] = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id], output_format="list")
    assert sorted((m.key, m.run_id) for m in found.metrics) == [("accuracy", run_id), ("rmse", run_id)]
    # The run's own history keeps one row per measurement, without the model or the run.
    assert [(m.value, m.step, m.model_id, m.run_id) for m in client.get_metric_history(run_id, "rmse")] == [(0.5, 0, None, None)]
    assert [(m.value, m.step, m.model_id) for m in client.get_metric_history(run_id, "accuracy")] == [(0.875, 3, None)]
    assert client.get_run(run_id).data.metrics == {"rmse": 0.5, "accuracy": 0.875}


def test_metric_history_is_in_mlflows_order(tracking_url):
    client = MlflowClient()
    Metric = mlflow.entities.Metric
    first, second = (client.create_run("0").info.run_id for _ in range(2))
    client.log_batch(first, metrics=[
        Metric("loss", 4.0, 300, 0), Metric("loss", 3.0, 100, 2), Metric("loss", 2.0, 100, 1),
        Metric("loss", 1.5, 200, 1), Metric("loss", 1.0, 100, 1),
    ])
    client.log_batch(second, metrics=[Metric("loss", 9.0, 50, 7)])
    # get-history: by timestamp, then step, then value.
    history = client.get_metric_history(first, "loss")
    assert [(m.timestamp, m.step, m.value) for m in history] == [(100, 1, 1.0), (100, 1, 2.0), (100, 2, 3.0), (200, 1, 1.5), (300, 0, 4.0)]
    # get-history-bulk-interval (the UI's charts): the runs in the order asked, each by step, then
    # timestamp, then value; sampled by row, keeping the first and the last.
    url = f"{tracking_url}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"
    asked = sorted([first, second], reverse=True)

    def bulk(max_results):
        response = requests.get(url, params={"run_ids": asked, "metric_key": "loss", "max_results": max_results})
        assert response.status_code == 200, response.text
        return [(m["run_id"], m["step"], m["timestamp"], m["value"]) for m in response.json()["metrics"]]

    rows = {first: [(first, 0, 300, 4.0), (first, 1, 100, 1.0), (first, 1, 100, 2.0), (first, 1, 200, 1.5), (first, 2, 100, 3.0)],
            second: [(second, 7, 50, 9.0)]}
    assert bulk(100) == rows[asked[0]] + rows[asked[1]]
    sampled = {first: [rows[first][0], rows[first][2], rows[first][4]], second: rows[second]}
    assert bulk(3) == sampled[asked[0]] + sampled[asked[1]]


def test_listing_artifact_folders_whose_names_have_spaces_or_non_ascii_letters(tracking_url, tmp_path):
    with mlflow.start_run() as run:
        mlflow.log_text("a", "dir with space/a.txt")
        mlflow.log_text("b", "ünïcode/b.txt")
        mlflow.log_text("c", "dir with space/plus+sign/c.txt")
    run_id = run.info.run_id
    client = MlflowClient()
    listed = client.list_artifacts(run_id, "dir with space")
    assert [(f.path, f.is_dir) for f in listed] == [("dir with space/a.txt", False), ("dir with space/plus+sign", True)]
    assert [f.path for f in client.list_artifacts(run_id, "dir with space/plus+sign")] == ["dir with space/plus+sign/c.txt"]
    assert [(f.path, f.file_size) for f in client.list_artifacts(run_id, "ünïcode")] == [("ünïcode/b.txt", 1)]
    # The tracking API's listing (the UI's) takes the path as a query parameter too.
    for folder, expected in [("ünïcode", ["ünïcode/b.txt"]), ("dir with space", ["dir with space/a.txt", "dir with space/plus+sign"])]:
        response = requests.get(f"{tracking_url}/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": folder})
        assert [f["path"] for f in response.json()["files"]] == expected
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="dir with space", dst_path=str(tmp_path))
    assert open(os.path.join(local, "plus+sign", "c.txt")).read() == "c"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/ünïcode/b.txt") == "b"


def test_a_missing_alias_is_an_invalid_parameter_value(tracking_url):
    client = MlflowClient()
    client.create_registered_model("aliased")
    with mlflow.start_run() as run:
        pass
    for _ in range(2):
        client.create_model_version("aliased", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    with pytest.raises(MlflowException) as missing:
        client.get_model_version_by_alias("aliased", "missing")
    assert missing.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Registered model alias missing not found." in str(missing.value)
    response = requests.get(f"{tracking_url}/api/2.0/mlflow/registered-models/alias", params={"name": "aliased", "alias": "missing"})
    assert response.status_code == 400 and response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as no_model:
        client.get_model_version_by_alias("no-such-model", "champion")
    assert no_model.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # "latest" (any case) is the newest version, alias or not.
    assert client.get_model_version_by_alias("aliased", "Latest").version == "2"
