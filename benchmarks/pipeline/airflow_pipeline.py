"""The example pipeline as an Airflow 3 DAG, for the benchmark: the original stack's tasks with the
steps it planned (evaluation, deployment), against MLflow's server and the FastAPI samples service.
Services come from the environment: SAMPLES_URL, MLFLOW_TRACKING_URI, MODEL_REPO, PIPELINE_WORK."""
import json
import math
import os
import subprocess
import sys
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

SAMPLES_URL = os.environ["SAMPLES_URL"]
MODEL_REPO = os.environ["MODEL_REPO"]
WORK = os.environ["PIPELINE_WORK"]


def folder(run_id):
    path = os.path.join(WORK, run_id.replace(":", "_").replace("+", "_"))
    os.makedirs(path, exist_ok=True)
    return path


@dag(
    dag_id="alpha_orchestrated_experiment",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    params={"n_samples_train": 1000, "n_samples_test": 200, "commit": "main", "experiment": "alpha_orchestrated_experiment",
            "registered_model": "line-model"},
    default_args={"owner": "alice", "retries": 1, "retry_delay": timedelta(seconds=20)},
)
def alpha_orchestrated_experiment():
    @task
    def data_ingestion(params=None, run_id=None):
        import requests

        work = folder(run_id)
        for name, count in (("train", params["n_samples_train"]), ("test", params["n_samples_test"])):
            response = requests.post(SAMPLES_URL + "/get-samples", json={"n_samples": count}, timeout=60)
            response.raise_for_status()
            with open(os.path.join(work, name + ".json"), "w") as handle:
                handle.write(response.text)

    @task
    def data_validation(params=None, run_id=None):
        work = folder(run_id)
        for name, count in (("train", params["n_samples_train"]), ("test", params["n_samples_test"])):
            with open(os.path.join(work, name + ".json")) as handle:
                samples = json.load(handle)["samples"]
            assert len(samples) == count, f"{name}: {len(samples)} samples, not {count}"
            for index, sample in enumerate(samples):
                assert len(sample) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in sample), f"{name}[{index}]: {sample}"

    @task
    def model_training(params=None, run_id=None):
        import mlflow
        import mlflow.sklearn
        import numpy as np

        work = folder(run_id)
        source = os.path.join(work, "src")
        subprocess.run(["git", "clone", "--quiet", MODEL_REPO, source], check=True)
        subprocess.run(["git", "-C", source, "checkout", "--quiet", params["commit"]], check=True)
        sha = subprocess.run(["git", "-C", source, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
        sys.path.insert(0, source)
        try:
            from model import get_model
        finally:
            sys.path.remove(source)
            sys.modules.pop("model", None)

        def load(name):
            with open(os.path.join(work, name + ".json")) as handle:
                samples = np.array(json.load(handle)["samples"], dtype=float)
            return samples[:, :1], samples[:, 1]

        x_train, y_train = load("train")
        x_test, y_test = load("test")
        model = get_model()
        model.fit(x_train, y_train)
        mlflow.set_experiment(params["experiment"])
        with mlflow.start_run() as run:
            mlflow.log_metrics({"training-R2-score": model.score(x_train, y_train), "test-R2-score": model.score(x_test, y_test)})
            mlflow.log_params({"coefficient": model.coef_[0], "intercept": model.intercept_, "model-url": MODEL_REPO, "model-gitsha": sha})
            info = mlflow.sklearn.log_model(model, name="model")
        return {"run_id": run.info.run_id, "model_uri": info.model_uri}

    @task
    def model_evaluation(trained, params=None):
        from mlflow import MlflowClient

        client = MlflowClient()
        score = client.get_run(trained["run_id"]).data.metrics["test-R2-score"]
        try:
            champion = client.get_model_version_by_alias(params["registered_model"], "champion")
            best = client.get_run(champion.run_id).data.metrics["test-R2-score"]
        except Exception:
            return {"better": True}
        return {"better": score > best}

    @task
    def model_deployment(trained, evaluation, params=None):
        import mlflow
        from mlflow import MlflowClient

        version = mlflow.register_model(trained["model_uri"], params["registered_model"])
        if evaluation["better"]:
            MlflowClient().set_registered_model_alias(params["registered_model"], "champion", version.version)

    trained = model_training()
    data_ingestion() >> data_validation() >> trained
    model_deployment(trained, model_evaluation(trained))


alpha_orchestrated_experiment()
