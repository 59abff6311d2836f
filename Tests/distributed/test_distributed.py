"""Flowline on several hosts (issue 14): PostgreSQL, two servers and three workers, each in its own
network namespace (or, where namespaces are unavailable, separate processes on loopback; the
output says which). Each test starts the pieces it needs (conftest.py); short timeouts
(--worker-timeout 3s, --heartbeat-interval 1s) keep the suite fast."""
import collections
import os
import re
import subprocess
import time

import pytest
import requests

from conftest import ADMIN, environment, flowline_binary, pid_alive, requires_workers, wait_for

pytestmark = requires_workers

WIDE_TASKS = 500
WIDE_RUNS = 4  # 2,000 task instances


def dag(dag_id, tasks, retries=0, max_active_tasks=16, max_active_runs=1):
    """A DAG file: `tasks` is a list of (task id, bash command, extra lines)."""
    lines = [
        f"dag_id: {dag_id}", "schedule: null", "start_date: 2026-01-01", "catchup: false", "paused: false",
        f"max_active_runs: {max_active_runs}", f"max_active_tasks: {max_active_tasks}",
        "default_args:", f"  retries: {retries}", "  retry_delay: 1s", "  execution_timeout: 5m", "tasks:",
    ]
    for task_id, command, *extra in tasks:
        lines += [f"  - id: {task_id}", "    operator: bash", f"    command: {quote(command)}"]
        lines += [f"    {line}" for line in (extra[0] if extra else [])]
    return "\n".join(lines) + "\n"


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def marker_lines(path):
    return path.read_text().splitlines() if path.exists() else []


def where(marker):
    """A bash line recording the task's process, host, working directory and the process ids of its
    ancestors (one of them the worker's): `<pid> <hostname> <cwd> <pid> <ppid> … 1`."""
    return (f"a=$$; p=$$; while [ \"$p\" -gt 1 ]; do p=$(awk '{{print $4}}' /proc/$p/stat); a=\"$a $p\"; done; "
            f'echo "$$ $(hostname) $(pwd) $a" >> {marker}')


def test_two_thousand_tasks_over_three_workers_each_succeed_exactly_once(cluster):
    # A longer worker timeout than the failure tests': this one is about throughput and claims
    # (a worker taken for dead while its task runs would run it twice, which is what the timeout
    # means; on a small shared machine under this load 3 s heartbeats can come late).
    cluster.start_servers(worker_timeout="15s")
    cluster.start_workers(concurrency=16)
    appends = cluster.markers / "wide.log"
    # One short line per task, appended with O_APPEND (>>): atomic, so lines never interleave.
    command = f'echo "$FLOWLINE_RUN_ID $FLOWLINE_TASK_ID" >> {appends}'
    cluster.write_dag("dist_wide", dag("dist_wide", [(f"t{i:04d}", command) for i in range(WIDE_TASKS)],
                                       max_active_tasks=64, max_active_runs=WIDE_RUNS))
    started = time.monotonic()
    runs = [cluster.trigger("dist_wide") for _ in range(WIDE_RUNS)]
    states = {run: cluster.wait_run("dist_wide", run, timeout=300 - (time.monotonic() - started)) for run in runs}
    elapsed = time.monotonic() - started
    print(f"{WIDE_RUNS * WIDE_TASKS} tasks over 3 workers in {elapsed:.1f} s ({WIDE_RUNS * WIDE_TASKS / elapsed:.0f} tasks/s)")
    assert set(states.values()) == {"success"}, {run: state for run, state in states.items() if state != "success"}

    counts = collections.Counter(marker_lines(appends))
    expected = {f"{run} t{i:04d}" for run in runs for i in range(WIDE_TASKS)}
    duplicates = {line: count for line, count in counts.items() if count > 1}
    assert not duplicates, f"{len(duplicates)} tasks ran more than once: {list(duplicates.items())[:10]}"
    assert not expected - set(counts), f"{len(expected - set(counts))} tasks never ran: {sorted(expected - set(counts))[:10]}"
    assert not set(counts) - expected, f"unexpected lines: {sorted(set(counts) - expected)[:10]}"

    hosts = collections.Counter()
    for run in runs:
        instances = cluster.task_instances("dist_wide", run)
        assert len(instances) == WIDE_TASKS
        assert {ti["state"] for ti in instances} == {"success"}
        assert {ti["try_number"] for ti in instances} == {1}, "a task needed a second try"
        hosts.update(ti["hostname"] for ti in instances)
    print(f"task instances per host: {dict(hosts)}")
    workers = {worker.get("name", worker.get("worker_name")) for worker in cluster.workers_list()}
    assert {"worker1", "worker2", "worker3"} <= workers, workers
    if cluster.network.namespaces:
        assert set(hosts) == {"worker1", "worker2", "worker3"}, f"the work did not spread over the three workers: {dict(hosts)}"


def test_a_killed_worker_has_its_try_retried_on_another_after_the_heartbeat_timeout(cluster):
    cluster.start_servers()
    cluster.start_workers(concurrency=2)
    marker = cluster.markers / "killed.log"
    cluster.write_dag("dist_kill_worker", dag("dist_kill_worker", [("sleepy", f"{where(marker)}; sleep 6")], retries=1))
    run = cluster.trigger("dist_kill_worker")
    first = wait_for(lambda: marker_lines(marker), 60, message="the task to start")[0]
    victim = cluster.host_of(first)
    assert victim, f"which worker runs {first!r}?"
    killed_at = time.monotonic()
    cluster.workers[victim].kill9()

    assert cluster.wait_run("dist_kill_worker", run, timeout=90) == "success"
    lines = marker_lines(marker)
    assert len(lines) == 2, lines
    assert cluster.host_of(lines[1]) not in (None, victim), lines
    assert time.monotonic() - killed_at >= 3, "retried before the worker timeout"
    tries = cluster.tries("dist_kill_worker", run, "sleepy")
    assert [t["try_number"] for t in tries] == [1, 2], tries
    assert tries[0]["state"] in ("failed", "up_for_retry"), tries[0]
    assert tries[1]["state"] == "success"
    if cluster.network.namespaces:
        assert tries[0]["hostname"] == victim and tries[1]["hostname"] != victim, [t["hostname"] for t in tries]
    assert "heartbeat" in cluster.log("dist_kill_worker", run, "sleepy", 1).lower(), "try 1's log does not say why it failed"


def test_killing_the_scheduling_server_stops_nothing(cluster):
    """No API says which server schedules: kill one mid-run (it may or may not hold the lease),
    restart it, then kill the other mid-run, which by then surely schedules (the lease stayed with
    the only survivor). Each run completes on the survivor, every task once."""
    cluster.start_servers()
    cluster.start_workers(concurrency=2)
    marker = cluster.markers / "chain.log"
    steps = [(f"step{i}", f'sleep 1; echo "$FLOWLINE_RUN_ID $FLOWLINE_TASK_ID" >> {marker}', [f"upstream: [step{i - 1}]"] if i else [])
             for i in range(8)]
    cluster.write_dag("dist_chain", dag("dist_chain", steps))
    for victim, survivor in (("server1", "server2"), ("server2", "server1")):
        run = cluster.trigger("dist_chain")
        wait_for(lambda: any(line.startswith(run) for line in marker_lines(marker)), 60, message=f"{run} to start")
        cluster.servers[victim].kill9()
        assert cluster.wait_run("dist_chain", run, timeout=120) == "success", f"{run} after kill -9 of {victim}\n{cluster.diagnostics()}"
        assert cluster.servers[survivor].alive()
        mine = collections.Counter(line for line in marker_lines(marker) if line.startswith(run + " "))
        assert sorted(mine) == sorted(f"{run} step{i}" for i in range(8)) and set(mine.values()) == {1}, mine
        cluster.start_server(victim, worker_timeout=cluster.worker_timeout)  # back for the next round, same data directory


def test_a_cut_worker_loses_its_try_and_its_late_report_is_refused(cluster):
    if not cluster.network.can_cut:
        pytest.skip(f"cutting a link needs network namespaces: {cluster.network.fallback_reason}")
    cluster.start_servers()
    cluster.start_workers(concurrency=2)
    marker, first = cluster.markers / "cut.log", cluster.markers / "cut.first"
    command = f"{where(marker)}; if mkdir {first} 2>/dev/null; then sleep 60; else sleep 1; fi"
    cluster.write_dag("dist_cut", dag("dist_cut", [("long", command)], retries=1))
    run = cluster.trigger("dist_cut")
    line = wait_for(lambda: marker_lines(marker), 60, message="the task to start")[0]
    pid, victim = int(line.split()[0]), cluster.host_of(line)
    assert victim, line
    host = cluster.network[victim]
    cluster.network.cut(host)
    try:
        assert cluster.wait_run("dist_cut", run, timeout=90) == "success"
        lines = marker_lines(marker)
        assert len(lines) == 2 and cluster.host_of(lines[1]) not in (None, victim), lines
        assert pid_alive(pid), "the cut worker's task died by itself: nothing left to stop (the test's sleep is too short)"
    finally:
        cluster.network.restore(host)
    # At its next contact the old worker learns that its lease is gone: it stops the try's process
    # group, and whatever it reports is refused.
    wait_for(lambda: not pid_alive(pid), 30, message=f"the old try's process {pid} to be stopped after the link came back")
    time.sleep(3)  # a late report would land now
    assert cluster.run_state("dist_cut", run) == "success"
    ti = cluster.task_instance("dist_cut", run, "long")
    assert ti["state"] == "success" and ti["try_number"] == 2, ti
    tries = cluster.tries("dist_cut", run, "long")
    assert [t["try_number"] for t in tries] == [1, 2]
    assert tries[0]["state"] in ("failed", "up_for_retry") and tries[1]["state"] == "success", tries
    assert tries[0]["hostname"] == victim != tries[1]["hostname"], [t["hostname"] for t in tries]
    assert cluster.workers[victim].alive(), "the partitioned worker should come back, not die"
    print(f"old worker's log after the restore:\n{cluster.workers[victim].output[-2000:]}")


def test_the_example_dag_with_each_task_on_another_worker(cluster):
    """alpha_orchestrated_experiment with its tasks on queues w1, w2, w3 in turn (so every hand-over
    crosses hosts and its data travels through the run storage), a commit from the conf, the model
    registered in the tracking server. `flowline server` runs neither the samples nor the tracking
    service, nor sets the variables `samples_url` and `tracking_uri` (`flowline up` does): they are
    started in the host `services`, and the variables set, here."""
    services = cluster.network["services"]
    samples_port, tracking_port = services.port(6780), services.port(5000)
    bind = "0.0.0.0" if cluster.network.namespaces else "127.0.0.1"
    samples = cluster.flowline("services", ["samples", "serve", "--host", bind, "--port", str(samples_port), "--log-level", "warning"], "samples")
    # Off loopback the tracking server asks for logins: the cluster's users, and the tasks' own
    # tokens, signed with the key of the cluster's database.
    tracking = cluster.flowline("services", ["tracking", "serve", "--host", bind, "--port", str(tracking_port),
                                             "--data-dir", str(cluster.folder / "tracking"), "--log-level", "warning",
                                             "--users-database", cluster.database], "tracking")
    samples.wait_for_output("Press Ctrl-C to stop.")
    tracking.wait_for_output("Press Ctrl-C to stop.")
    samples_url, tracking_url = f"http://{services.address}:{samples_port}", f"http://{services.address}:{tracking_port}"
    for key, value in (("samples_url", samples_url), ("tracking_uri", tracking_url)):
        subprocess.run([flowline_binary(), "variables", "set", key, value, "--database", cluster.database],
                       check=True, capture_output=True, env=environment(), timeout=60, cwd=cluster.folder)

    cluster.start_servers(examples=True)
    cluster.start_workers(queues={1: "w1", 2: "w2", 3: "w3"}, concurrency=2)
    installed = (cluster.dags / "alpha_orchestrated_experiment.yaml").read_text()
    commits = dict((name, sha) for sha, name in re.findall(r"\b([0-9a-f]{40}) \((\w+)\)", installed))
    assert "linear" in commits, installed
    default = re.search(r'commit: \{[^}]*default: "?([0-9a-f]{40})', installed)
    assert default is None or default.group(1) != commits["linear"], "pick a commit other than the DAG's default"

    assignment, text, index = {}, [], 0
    for line in installed.replace("dag_id: alpha_orchestrated_experiment", "dag_id: alpha_distributed").splitlines():
        if re.match(r"^    queue:", line):
            continue
        text.append(line.replace('schedule: "@daily"', "schedule: null"))
        match = re.match(r"^  - id: (\w+)\s*$", line)
        if match:
            queue = f"w{index % 3 + 1}"
            assignment[match.group(1)] = f"worker{index % 3 + 1}"
            text.append(f"    queue: {queue}")
            index += 1
    assert len(assignment) == 5, assignment
    cluster.write_dag("alpha_distributed", "\n".join(text) + "\n")
    run = cluster.trigger("alpha_distributed", {"commit": commits["linear"]})
    assert cluster.wait_run("alpha_distributed", run, timeout=240) == "success", cluster.run_report("alpha_distributed", run)

    instances = {ti["task_id"]: ti for ti in cluster.task_instances("alpha_distributed", run)}
    assert {task: ti["state"] for task, ti in instances.items()} == {task: "success" for task in assignment}
    if cluster.network.namespaces:
        assert {task: ti["hostname"] for task, ti in instances.items()} == assignment
    else:
        print("hosts share one name on loopback: where each task ran is not checked")
    # Whichever server heard a worker's log lines, each server shows the whole log.
    for task in assignment:
        logs = [cluster.log("alpha_distributed", run, task, 1, server=name) for name in ("server1", "server2")]
        assert "Starting try 1" in logs[0] and "Task succeeded" in logs[0], (task, logs[0])
        assert logs[0] == logs[1], (task, logs)
    tracking_run = instances["model_training"]["tracking_run_id"]
    assert tracking_run
    params = requests.get(f"{tracking_url}/api/2.0/mlflow/runs/get", params={"run_id": tracking_run}, auth=ADMIN, timeout=10).json()["run"]["data"]["params"]
    assert {p["key"]: p["value"] for p in params}.get("model-gitsha") == commits["linear"], params
    versions = requests.get(f"{tracking_url}/api/2.0/mlflow/model-versions/search", params={"filter": "name='line-model'"}, auth=ADMIN,
                            timeout=10).json()
    if cluster.network.namespaces:
        assert requests.get(f"{tracking_url}/api/2.0/mlflow/model-versions/search", timeout=10).status_code == 401
    assert tracking_run in [version["run_id"] for version in versions.get("model_versions", [])], versions


def register(url, name, token):
    """The worker API's register call (`POST /edge_worker/v1/worker/{name}`) with `token` (None: none)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return requests.post(f"{url}/edge_worker/v1/worker/{name}", headers=headers,
                         json={"hostname": name, "queues": ["default"], "concurrency": 1, "version": "test"}, timeout=10)


def refused(process):
    """Whether a worker's output says it was refused."""
    text = process.output.lower()
    return any(word in text for word in ("401", "403", "unauthorized", "forbidden", "refused", "revoked", "invalid token"))


def test_wrong_and_revoked_worker_tokens_are_refused_and_viewers_cannot_make_tokens(cluster):
    cluster.start_servers()
    url = cluster.servers["server1"].url
    wrong = "flw_" + os.urandom(16).hex()
    assert register(url, "intruder", wrong).status_code in (401, 403)
    assert register(url, "intruder", None).status_code in (401, 403)
    intruder = cluster.start_worker("worker1", token=wrong, name="intruder", wait=False)
    wait_for(lambda: refused(intruder), 20, message="the worker with a wrong token to log that it is refused")
    assert cluster.worker("intruder") is None, "a worker with a wrong token registered"

    token = cluster.create_token("soon-revoked")
    assert register(url, "soon-revoked", token).status_code < 300
    worker = cluster.start_worker("worker2", token=token, name="soon-revoked")
    cluster.revoke_token("soon-revoked")
    assert register(url, "soon-revoked", token).status_code in (401, 403)
    wait_for(lambda: refused(worker), 20, message="the worker with a revoked token to log that it is refused")

    admin = cluster.login(url, "alice", "bob")
    # The design names /api/v2/workers/tokens; the lead's build has Airflow-style /api/v2/workerTokens.
    for tokens in ("/api/v2/workers/tokens", "/api/v2/workerTokens"):
        answer = admin.post(f"{url}{tokens}", json={"name": "from-api"}, timeout=10)
        if answer.status_code not in (404, 405):
            break
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["name"] == "from-api" and answer.json()["token"].startswith("flw_")
    assert register(url, "from-api", answer.json()["token"]).status_code < 300
    deleted = admin.delete(f"{url}{tokens}/from-api", timeout=10)
    assert deleted.status_code in (200, 204), deleted.text
    assert register(url, "from-api", answer.json()["token"]).status_code in (401, 403)

    subprocess.run([flowline_binary(), "users", "create", "vera", "--role", "viewer", "--password", "viewer-password-1",
                    "--database", cluster.database], check=True, capture_output=True, env=environment(), timeout=60, cwd=cluster.folder)
    viewer = cluster.login(url, "vera", "viewer-password-1")
    assert viewer.post(f"{url}{tokens}", json={"name": "sneaky"}, timeout=10).status_code == 403
    assert viewer.delete(f"{url}{tokens}/soon-revoked", timeout=10).status_code == 403
