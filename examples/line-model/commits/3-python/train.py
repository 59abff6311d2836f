"""Fits get_model() to the samples and logs to the active MLflow run, as the original DAG did.

The project operator starts the run and sets MLFLOW_TRACKING_URI and MLFLOW_RUN_ID, so
mlflow.start_run() continues that run.
"""
import argparse
import json
import os

import mlflow
import mlflow.sklearn
import numpy as np

from model import get_model


def load(path):
    with open(path) as handle:
        samples = np.array(json.load(handle)["samples"], dtype=float)
    return samples[:, :1], samples[:, 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    args = parser.parse_args()

    x_train, y_train = load(args.train)
    x_test, y_test = load(args.test)
    model = get_model()
    model.fit(x_train, y_train)

    with mlflow.start_run():
        mlflow.log_metrics({
            "training-R2-score": model.score(x_train, y_train),
            "test-R2-score": model.score(x_test, y_test),
        })
        mlflow.log_params({
            "coefficient": model.coef_[0],
            "intercept": model.intercept_,
            "model-url": os.environ.get("FLOWLINE_PROJECT_REPO", ""),
            "model-gitsha": os.environ.get("FLOWLINE_PROJECT_COMMIT", ""),
        })
        # The coefficients in the model's metadata let Flowline serve it without Python.
        mlflow.sklearn.log_model(
            model,
            name="model",
            metadata={"flowline_model": {"kind": "linear", "coefficients": [float(model.intercept_), float(model.coef_[0])]}},
        )
    print(json.dumps({"coefficient": model.coef_[0], "intercept": model.intercept_}))


if __name__ == "__main__":
    main()
