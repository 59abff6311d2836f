"""The tracking benchmark's workload, the same for any server speaking MLflow's REST API.

Usage: workload.py URL PID RUNS HISTORY  -> prints one JSON object of measurements.
Timed with a keep-alive `requests.Session`; populating runs uses 16 threads so that the slower
server does not take all day. The log-metric load is measured separately with wrk.
"""
import concurrent.futures
import json
import os
import statistics
import sys
import time

import requests

URL, PID, RUNS, HISTORY = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
API = URL + "/api/2.0/mlflow"
session = requests.Session()


def call(method, path, **kwargs):
    response = session.request(method, API + path, timeout=600, **kwargs)
    response.raise_for_status()
    return response.json()


def rss_mb(pid):
    """Resident memory of a process and all its descendants, in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(child) for child in children.read().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            pass
    return total / 1024


results = {"rss_idle_mb": rss_mb(PID)}
experiment = call("POST", "/experiments/create", json={"name": f"bench-{time.time_ns()}"})["experiment_id"]

# A log-batch of 1,000 metrics, 20 times.
run_id = call("POST", "/runs/create", json={"experiment_id": experiment, "start_time": 0})["run"]["info"]["run_id"]
durations = []
for batch in range(20):
    metrics = [{"key": f"m{i % 10}", "value": i * 0.5, "timestamp": 1700000000000 + i, "step": batch * 1000 + i} for i in range(1000)]
    started = time.perf_counter()
    call("POST", "/runs/log-batch", json={"run_id": run_id, "metrics": metrics})
    durations.append((time.perf_counter() - started) * 1000)
results["log_batch_1000_ms"] = statistics.median(durations)

# RUNS runs with 5 params and 5 metrics each.
def make_run(i):
    local = requests.Session()
    created = local.post(API + "/runs/create", json={"experiment_id": experiment, "start_time": 1700000000000 + i, "run_name": f"run-{i}"}, timeout=600)
    created.raise_for_status()
    rid = created.json()["run"]["info"]["run_id"]
    batch = {
        "run_id": rid,
        "params": [{"key": f"p{k}", "value": str(i % (k + 2))} for k in range(5)],
        "metrics": [{"key": f"metric{k}", "value": (i * (k + 1)) % 997 / 997, "timestamp": 1, "step": 0} for k in range(5)],
    }
    local.post(API + "/runs/log-batch", json=batch, timeout=600).raise_for_status()


started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(make_run, range(RUNS)))
results["populate_runs_s"] = time.perf_counter() - started

search = {"experiment_ids": [experiment], "filter": "metrics.metric1 > 0.5 AND params.p0 = '0'",
          "order_by": ["metrics.metric2 DESC"], "max_results": 100}
durations = []
for _ in range(5):
    started = time.perf_counter()
    found = call("POST", "/runs/search", json=search)
    durations.append((time.perf_counter() - started) * 1000)
results["search_ms"] = statistics.median(durations)
results["search_matches_on_first_page"] = len(found.get("runs", []))

started = time.perf_counter()
seen, token = 0, None
while True:
    body = {"experiment_ids": [experiment], "max_results": 100}
    if token:
        body["page_token"] = token
    page = call("POST", "/runs/search", json=body)
    seen += len(page.get("runs", []))
    token = page.get("next_page_token")
    if not token:
        break
results["page_all_runs_s"] = time.perf_counter() - started
results["paged_runs"] = seen

# A metric history of HISTORY steps, read back as the client reads it (pages of 25,000).
history_run = call("POST", "/runs/create", json={"experiment_id": experiment, "start_time": 0})["run"]["info"]["run_id"]
for start in range(0, HISTORY, 1000):
    metrics = [{"key": "curve", "value": step * 1e-3, "timestamp": 1700000000000 + step, "step": step} for step in range(start, min(start + 1000, HISTORY))]
    call("POST", "/runs/log-batch", json={"run_id": history_run, "metrics": metrics})
started = time.perf_counter()
points, token = 0, None
while True:
    params = {"run_id": history_run, "metric_key": "curve", "max_results": 25000}
    if token:
        params["page_token"] = token
    page = call("GET", "/metrics/get-history", params=params)
    points += len(page.get("metrics", []))
    token = page.get("next_page_token")
    if not token:
        break
results["history_read_s"] = time.perf_counter() - started
results["history_points"] = points
results["rss_after_mb"] = rss_mb(PID)
print(json.dumps(results))
