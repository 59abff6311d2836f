"""`flowline fit` against scikit-learn and numpy on the same samples: same coefficients to 1e-9."""
import json
import os
import subprocess

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

FLOWLINE = os.environ.get("FLOWLINE_BIN", "flowline")


def fit(tmp_path, samples, *arguments, test=None):
    train = tmp_path / "train.json"
    train.write_text(json.dumps({"samples": samples}))
    command = [FLOWLINE, "fit", "--train", str(train), *arguments]
    if test is not None:
        test_file = tmp_path / "test.csv"
        test_file.write_text("x,y\n" + "\n".join(f"{x!r},{y!r}" for x, y in test))
        command += ["--test", str(test_file)]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
    return result, (json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None)


def noisy(n, seed, gradient=1.5, intercept=-0.25, sigma=0.1):
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    return [[float(a), float(gradient * a + intercept + rng.normal(0, sigma))] for a in x]


def test_linear_matches_scikit_learn(tmp_path):
    samples = noisy(5000, 1)
    test = noisy(500, 2)
    result, out = fit(tmp_path, samples, test=test)
    assert result.returncode == 0, result.stderr
    a = np.array(samples)
    model = LinearRegression().fit(a[:, :1], a[:, 1])
    intercept, slope = out["coefficients"]
    assert abs(slope - model.coef_[0]) < 1e-9
    assert abs(intercept - model.intercept_) < 1e-9
    t = np.array(test)
    predicted = model.predict(t[:, :1])
    assert abs(out["metrics"]["test-R2-score"] - r2_score(t[:, 1], predicted)) < 1e-9
    assert abs(out["metrics"]["test-rmse"] - mean_squared_error(t[:, 1], predicted) ** 0.5) < 1e-9
    assert abs(out["metrics"]["test-mae"] - mean_absolute_error(t[:, 1], predicted)) < 1e-9
    assert abs(out["metrics"]["training-R2-score"] - model.score(a[:, :1], a[:, 1])) < 1e-9


def test_polynomial_and_ridge_match(tmp_path):
    samples = noisy(3000, 3)
    a = np.array(samples)
    result, out = fit(tmp_path, samples, "--degree", "3")
    assert result.returncode == 0, result.stderr
    expected = np.polynomial.polynomial.polyfit(a[:, 0], a[:, 1], 3)
    assert np.allclose(out["coefficients"], expected, rtol=0, atol=1e-9)

    result, out = fit(tmp_path, samples, "--alpha", "2.5")
    assert result.returncode == 0, result.stderr
    ridge = Ridge(alpha=2.5).fit(a[:, :1], a[:, 1])
    assert abs(out["coefficients"][1] - ridge.coef_[0]) < 1e-9
    assert abs(out["coefficients"][0] - ridge.intercept_) < 1e-9


@pytest.mark.parametrize("samples, message", [
    ([], "there are no training samples"),
    ([[1, 2]], "1 training sample is fewer than the model's 2 coefficients"),
    ([[1, 2], [1, 3]], "need at least 2 distinct x values"),
    ([[1, 2], [2, "3"]], "samples[1]: y is a string, not a number"),
    ([[1, 2], [2, 3, 4]], "samples[1] has 3 values"),
])
def test_bad_samples(tmp_path, samples, message):
    result, _ = fit(tmp_path, samples)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Usage" not in result.stderr


def test_logged_to_a_run_and_loadable_with_mlflow_pyfunc(tracking_url, tmp_path):
    """With MLFLOW_RUN_ID set, fit logs params, metrics and the model into that run; the model
    loads with mlflow.pyfunc.load_model and predicts what Flowline's coefficients say."""
    import mlflow
    import pandas

    samples = noisy(1000, 4)
    train = tmp_path / "train.json"
    train.write_text(json.dumps({"samples": samples}))
    mlflow.set_experiment("fit")
    with mlflow.start_run() as run:
        environment = dict(os.environ, MLFLOW_RUN_ID=run.info.run_id, MLFLOW_TRACKING_URI=tracking_url,
                           FLOWLINE_PROJECT_REPO="https://example.invalid/model.git", FLOWLINE_PROJECT_COMMIT="abc123")
        result = subprocess.run([FLOWLINE, "fit", "--train", str(train)], capture_output=True, text=True, env=environment, timeout=60)
        assert result.returncode == 0, result.stderr
    coefficients = json.loads(result.stdout.strip().splitlines()[-1])["coefficients"]
    logged = mlflow.get_run(run.info.run_id).data
    assert logged.params["model-url"] == "https://example.invalid/model.git"
    assert logged.params["model-gitsha"] == "abc123"
    assert float(logged.params["intercept"]) == coefficients[0]
    assert float(logged.params["coefficient"]) == coefficients[1]
    assert logged.metrics["training-R2-score"] > 0.9
    model = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    predictions = model.predict(pandas.DataFrame({"x": [0.5, 2.0]}))
    assert list(predictions) == pytest.approx([coefficients[0] + coefficients[1] * x for x in (0.5, 2.0)], abs=1e-12)
