"""The workers benchmark's workload, the same for Flowline and Airflow 3 (their REST API v2), in the
manner of benchmarks/orchestrator/workload.py.

Usage: workload.py URL CHAIN_RUNS  -> prints one JSON object of measurements.
Env: USERNAME/PASSWORD to log in (POST /auth/token); SYSTEM_PIDS: the root pids of every process
of the system under test (servers, workers, broker, PostgreSQL's postmaster), whose process trees'
CPU is summed (children they reaped included); WORKER_PID: the root of one worker's process tree,
measured idle (RSS and PSS) before any load; RUN_TIMEOUT (s, default 600): a run not finished by
then is measured on the tasks it finished so far and marked failed.
Times come from the servers' own task-instance start/end dates; trigger-to-finish is wall time
from the trigger request until the run is seen finished (polled every 5 ms, backing off to 200 ms).
"""
import json
import os
import statistics
import sys
import time
from datetime import datetime

import requests

URL, CHAIN_RUNS = sys.argv[1], int(sys.argv[2])
API = URL + "/api/v2"
ROOTS = [int(p) for p in os.environ.get("SYSTEM_PIDS", "").split()]
WORKER = int(os.environ["WORKER_PID"]) if os.environ.get("WORKER_PID") else None
RUN_TIMEOUT = float(os.environ.get("RUN_TIMEOUT", "600"))
session = requests.Session()
if os.environ.get("USERNAME"):
    token = requests.post(URL + "/auth/token", json={"username": os.environ["USERNAME"], "password": os.environ["PASSWORD"]}).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"


def processes():
    """pid -> /proc/pid/stat fields after the command name (state, ppid, …)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    table[int(entry)] = f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return table


def trees(roots):
    """The processes of the trees under ROOTS: pid -> stat fields."""
    table = processes()
    children = {}
    for pid, fields in table.items():
        children.setdefault(int(fields[1]), []).append(pid)
    found, todo = {}, [r for r in roots if r in table]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found[pid] = table[pid]
            todo += children.get(pid, [])
    return found


def cpu_seconds():
    """CPU seconds of the system's live processes and of the children they reaped."""
    return sum(sum(int(v) for v in fields[11:15]) for fields in trees(ROOTS).values()) / os.sysconf("SC_CLK_TCK")


def memory_mb(root):
    rss = pss = 0
    for pid in trees([root]):
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


def get(path, **params):
    while True:
        answer = session.get(f"{API}{path}", params=params)
        if answer.status_code < 500:
            if answer.status_code != 200:
                raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:300]}")
            return answer.json()
        server_errors[0] += 1
        time.sleep(0.05)


def trigger_and_wait(dag):
    """Triggers a run and waits for it to finish, or RUN_TIMEOUT seconds (then the tasks finished
    so far are measured, the run is reported as unfinished and marked failed)."""
    started = time.perf_counter()
    response = session.post(f"{API}/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {}})
    if response.status_code not in (200, 201):
        raise SystemExit(f"trigger {dag}: {response.status_code} {response.text[:300]}")
    run_id = response.json()["dag_run_id"]
    delay = 0.005
    while True:
        run = get(f"/dags/{dag}/dagRuns/{run_id}")
        if run["state"] in ("success", "failed"):
            break
        if time.perf_counter() - started > RUN_TIMEOUT:
            unfinished_runs[0] += 1
            print(f"{URL}: {dag} run {run_id} unfinished after {RUN_TIMEOUT:.0f} s; measuring the tasks done so far", file=sys.stderr)
            break
        time.sleep(delay)
        delay = min(delay * 1.25, 0.2)
    elapsed = time.perf_counter() - started
    instances, offset = [], 0
    while True:
        page = get(f"/dags/{dag}/dagRuns/{run_id}/taskInstances", limit=100, offset=offset)
        instances += page["task_instances"]
        offset += 100
        if offset >= page["total_entries"]:
            break
    if run["state"] not in ("success", "failed"):
        session.patch(f"{API}/dags/{dag}/dagRuns/{run_id}", json={"state": "failed"})  # free the workers
    elif run["state"] == "failed":
        failed_tasks[0] += sum(1 for ti in instances if ti["state"] in ("failed", "upstream_failed"))
        print(f"{URL}: {dag} run {run_id} ended {run['state']}", file=sys.stderr)
    return elapsed, run, {ti["task_id"]: ti for ti in instances}


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


server_errors, failed_tasks, unfinished_runs = [0], [0], [0]
results = {}
if WORKER is not None:
    results["worker_rss_idle_mb"], results["worker_pss_idle_mb"] = memory_mb(WORKER)
for dag in ("chain_10", "fanout"):
    session.patch(f"{API}/dags/{dag}", json={"is_paused": False})

trigger_and_wait("chain_10")  # warm-up
durations, gaps = [], []
chain = [f"t{i}" for i in range(1, 11)]
for _ in range(CHAIN_RUNS):
    elapsed, run, tis = trigger_and_wait("chain_10")
    durations.append(elapsed)
    for upstream, downstream in zip(chain, chain[1:]):
        if tis[upstream].get("end_date") and tis[downstream].get("start_date"):
            gaps.append(when(tis[downstream]["start_date"]) - when(tis[upstream]["end_date"]))
results["chain_s"] = statistics.median(durations)
results["gap_p50_ms"] = 1000 * percentile(gaps, 0.5)
results["gap_p99_ms"] = 1000 * percentile(gaps, 0.99)
results["gaps"] = len(gaps)

cpu_before = cpu_seconds()
elapsed, run, tis = trigger_and_wait("fanout")
cpu = cpu_seconds() - cpu_before
done = [ti for ti in tis.values() if ti.get("end_date") and ti.get("start_date") and ti["state"] == "success"]
tasks = len(done)
finished = run["state"] in ("success", "failed")
# Tasks finished per second of the run's span (first start to last end, the servers' dates), or
# of the wall time so far when it did not finish.
span = (max(when(ti["end_date"]) for ti in done) - min(when(ti["start_date"]) for ti in done)) if done and finished else elapsed
results["fanout_tasks"] = len(tis)
results["fanout_tasks_finished"] = tasks
results["fanout_tasks_per_s"] = tasks / span if span else 0
if tasks:
    results["cpu_ms_per_task"] = 1000 * cpu / tasks
results.update(server_errors_while_polling=server_errors[0], tasks_not_successful=failed_tasks[0], runs_unfinished_at_timeout=unfinished_runs[0])
print(json.dumps(results))
