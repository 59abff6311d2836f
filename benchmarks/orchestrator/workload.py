"""The orchestrator benchmark's workload, the same for Flowline and Airflow 3 (their REST API v2).

Usage: workload.py URL GROUP_PID CHAIN_RUNS N [N ...]  -> prints one JSON object of measurements.
Env: USERNAME/PASSWORD to log in (POST /auth/token) when the server wants a token; SCHEDULER_PID
for the CPU of the scheduler process alone.
Times come from the servers' own task-instance start/end dates; trigger-to-finish is wall time
from the trigger request until the run is seen finished (polled every 5 ms).
"""
import json
import os
import statistics
import sys
import time
from datetime import datetime

import requests

URL, GROUP, CHAIN_RUNS, SIZES = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(n) for n in sys.argv[4:]]
API = URL + "/api/v2"
session = requests.Session()
if os.environ.get("USERNAME"):
    token = requests.post(URL + "/auth/token", json={"username": os.environ["USERNAME"], "password": os.environ["PASSWORD"]}).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"


def group_processes():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == GROUP:
                    yield int(entry), fields
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass


def cpu_seconds(pid=None):
    """CPU seconds of the group's live processes and the children they reaped, or of one process alone."""
    total = 0
    for current, fields in group_processes():
        if pid is None:
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        elif current == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def memory_mb():
    rss = pss = 0
    for pid, _ in group_processes():
        try:
            with open(f"/proc/{pid}/status") as f:
                rss += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (FileNotFoundError, StopIteration, PermissionError):
            pass
    return rss / 1024, pss / 1024


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


RUN_TIMEOUT = float(os.environ.get("RUN_TIMEOUT", "600"))


def trigger_and_wait(dag):
    """Triggers a run and waits for it to finish, or RUN_TIMEOUT seconds (then the tasks finished
    so far are measured, and the run is reported as unfinished)."""
    started = time.perf_counter()
    response = session.post(f"{API}/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {}})
    response.raise_for_status()
    run_id = response.json()["dag_run_id"]
    delay = 0.005
    while True:
        answer = session.get(f"{API}/dags/{dag}/dagRuns/{run_id}")
        if answer.status_code >= 500:  # Airflow on SQLite answers "database is locked" under load
            server_errors[0] += 1
            time.sleep(0.05)
            continue
        if answer.status_code != 200:
            raise SystemExit(f"GET run {run_id}: {answer.status_code} {answer.text}")
        run = answer.json()
        if run["state"] in ("success", "failed"):
            break
        if time.perf_counter() - started > RUN_TIMEOUT:
            unfinished_runs[0] += 1
            print(f"{URL}: {dag} run {run_id} unfinished after {RUN_TIMEOUT:.0f} s; measuring the tasks done so far", file=sys.stderr)
            break
        # 5 ms at first, backing off to 200 ms: precise for short runs without loading a slow
        # server (Airflow on SQLite) with polls during long ones.
        time.sleep(delay)
        delay = min(delay * 1.25, 0.2)
    elapsed = time.perf_counter() - started
    instances, offset = [], 0
    while True:
        answer = session.get(f"{API}/dags/{dag}/dagRuns/{run_id}/taskInstances", params={"limit": 100, "offset": offset})
        if answer.status_code >= 500:
            server_errors[0] += 1
            time.sleep(0.05)
            continue
        page = answer.json()
        instances += page["task_instances"]
        offset += 100
        if offset >= page["total_entries"]:
            break
    if run["state"] == "failed":
        failed_tasks[0] += sum(1 for ti in instances if ti["state"] in ("failed", "upstream_failed"))
        print(f"{URL}: {dag} run {run_id} ended {run['state']}", file=sys.stderr)
    return elapsed, run, {ti["task_id"]: ti for ti in instances}


server_errors = [0]
failed_tasks = [0]
unfinished_runs = [0]
results = {}
rss, pss = memory_mb()
results.update(rss_idle_mb=rss, pss_idle_mb=pss)
for dag in ["chain"] + [f"fanout_{n}" for n in SIZES]:
    session.patch(f"{API}/dags/{dag}", json={"is_paused": False})

trigger_and_wait("chain")  # warm-up
durations, gaps = [], []
for _ in range(CHAIN_RUNS):
    elapsed, run, tis = trigger_and_wait("chain")
    durations.append(elapsed)
    gaps += [when(tis["b"]["start_date"]) - when(tis["a"]["end_date"]), when(tis["c"]["start_date"]) - when(tis["b"]["end_date"])]
gaps.sort()
results["chain_s"] = statistics.median(durations)
results["gap_p50_ms"] = 1000 * gaps[len(gaps) // 2]
results["gap_p99_ms"] = 1000 * gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]

for n in SIZES:
    scheduler_before = cpu_seconds(int(os.environ["SCHEDULER_PID"])) if os.environ.get("SCHEDULER_PID") else None
    total_before = cpu_seconds()
    elapsed, run, tis = trigger_and_wait(f"fanout_{n}")
    done = [ti for ti in tis.values() if ti.get("end_date") and ti.get("start_date")]
    starts = [when(ti["start_date"]) for ti in done]
    ends = [when(ti["end_date"]) for ti in done]
    tasks = len(done)
    # Tasks finished per second of the run's wall time so far (its whole span when it finished).
    span = (max(ends) - min(starts)) if done else elapsed
    results[f"fanout_{n}_tasks_finished"] = tasks
    results[f"fanout_{n}_tasks_per_s"] = tasks / span if run["state"] in ("success", "failed") else tasks / elapsed
    if run["state"] not in ("success", "failed"):
        # Leave the server free for the next measurement.
        session.patch(f"{API}/dags/{dag}/dagRuns/{run['dag_run_id']}", json={"state": "failed"})
    if tasks:
        results[f"fanout_{n}_cpu_ms_per_task"] = 1000 * (cpu_seconds() - total_before) / tasks
    if scheduler_before is not None and tasks:
        results[f"fanout_{n}_scheduler_cpu_ms_per_task"] = 1000 * (cpu_seconds(int(os.environ["SCHEDULER_PID"])) - scheduler_before) / tasks
rss, pss = memory_mb()
results.update(rss_after_mb=rss, pss_after_mb=pss, server_errors_while_polling=server_errors[0], tasks_not_successful=failed_tasks[0], runs_unfinished_at_timeout=unfinished_runs[0])
print(json.dumps(results))
