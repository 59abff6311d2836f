"""Fills a tracking server with RUNS runs (params and metrics each) in one experiment, then times
the UI pages that list and show them. Prints JSON."""
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

base, count = sys.argv[1], int(sys.argv[2])
api = base + "/api/2.0/mlflow"
experiment = requests.post(api + "/experiments/create", json={"name": "ui-benchmark"}).json()["experiment_id"]


def one(index):
    session = requests.Session()
    run = session.post(api + "/runs/create", json={"experiment_id": experiment, "run_name": f"run-{index}", "start_time": 1_700_000_000_000 + index}).json()
    run_id = run["run"]["info"]["run_id"]
    session.post(api + "/runs/log-batch", json={"run_id": run_id,
                 "params": [{"key": "alpha", "value": str(index % 7)}, {"key": "model", "value": "linear"}],
                 "metrics": [{"key": "r2", "value": index / count, "timestamp": 1, "step": 0}, {"key": "rmse", "value": 1 - index / count, "timestamp": 1, "step": 0}]})
    return run_id


with ThreadPoolExecutor(8) as pool:
    ids = list(pool.map(one, range(count)))


def timed(path, repeats=10):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = requests.get(base + path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times) * 1000


print(json.dumps({
    "runs": count,
    "experiment_page_ms": timed(f"/experiments/{experiment}"),
    "experiment_page_sorted_by_metric_ms": timed(f"/experiments/{experiment}?order=metrics.%60r2%60%20DESC"),
    "experiment_page_filtered_ms": timed(f"/experiments/{experiment}?filter=metrics.r2%20%3E%200.5%20and%20params.alpha%20%3D%20%273%27"),
    "experiment_page_last_page_ms": timed(f"/experiments/{experiment}?offset={count - 50}"),
    "run_page_ms": timed(f"/runs/{ids[0]}"),
    "compare_ms": timed(f"/compare?runs={ids[0]}&runs={ids[1]}&runs={ids[2]}"),
}))
