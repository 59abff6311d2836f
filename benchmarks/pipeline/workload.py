"""Triggers the example DAG through the REST API and measures trigger-to-registered-model: from the
POST that creates the run to the moment its model_deployment task has succeeded (the new model
version is registered, and the alias moved or not). Prints JSON with the median and each run."""
import json
import statistics
import sys
import time

import requests

orchestrator, tracking, runs, user, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
commits = sys.argv[6:]
session = requests.Session()
token = session.post(orchestrator + "/auth/token", json={"username": user, "password": password}).json()["access_token"]
session.headers["Authorization"] = f"Bearer {token}"
dag = orchestrator + "/api/v2/dags/alpha_orchestrated_experiment"


def one(commit):
    started = time.perf_counter()
    run = session.post(dag + "/dagRuns", json={"logical_date": None, "conf": {"commit": commit}})
    run.raise_for_status()
    run_id = run.json()["dag_run_id"]
    deployment = f"{dag}/dagRuns/{requests.utils.quote(run_id, safe='')}/taskInstances/model_deployment"
    delay = 0.002
    while True:
        state = session.get(deployment).json()["state"]
        if state == "success":
            return time.perf_counter() - started
        if state in ("failed", "upstream_failed"):
            raise SystemExit(f"run {run_id} failed")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


one(commits[0])  # warm the repository cache and the tracking experiment
results = {commit: [one(commit) for _ in range(runs)] for commit in commits}
versions = requests.get(tracking + "/api/2.0/mlflow/model-versions/search", params={"filter": "name='line-model'"}).json().get("model_versions", [])
print(json.dumps({"median_s": {c: statistics.median(v) for c, v in results.items()}, "runs_s": results, "registered_versions": len(versions)}))
