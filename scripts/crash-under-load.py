#!/usr/bin/env python3
"""Crash Flowline under load with `kill -9`, restart it on the same data directory, and check that
nothing it acknowledged was lost or doubled and that no run is stuck.

Each round:
  1. starts `flowline up` (all ports 0, `--log-level warning`) on the data directory shared by all
     rounds, so every round but the first is also a restart after a crash;
  2. 32 threads each create a tracking run and log metrics to it as fast as they can
     (POST /api/2.0/mlflow/runs/log-metric), every write with its own (key, step, value);
     4 threads trigger runs of the example DAG `example_hello` with unique run ids
     (POST /api/v2/dags/example_hello/dagRuns);
  3. after a random 1-5 s, sends SIGKILL to `flowline` and keeps every write and trigger that was
     acknowledged (200) before it;
  4. restarts `flowline up` on the same data directory, logs in again (tokens do not survive a
     restart), and checks:
     - every acknowledged metric write is in its run's history exactly once (no duplicates; and no
       value that was never sent);
     - every acknowledged trigger exists exactly once;
     - every run of the DAG finishes (success or failed) within 90 s: tries lost in the crash are
       retried by the server;
  5. stops the server with SIGTERM (it must exit 0) and runs `PRAGMA integrity_check` on
     tracking.db and orchestrator.db, opened read-only.

Prints a line per round and a summary table; exits 1 on any violation. The data directory is
deleted at the end unless a round failed or --data-dir was given.

    scripts/crash-under-load.sh [ROUNDS]          (default 20)
    python scripts/crash-under-load.py [ROUNDS] [--data-dir DIR] [--seed N]

`Tests/clients/test_crash_under_load.py` runs two rounds of `run_rounds` in the test suite.
"""
import argparse
import collections
import dataclasses
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("orchestrator", "tracking", "samples", "serving")
DAG_ID = "example_hello"
METRIC_THREADS = 32
TRIGGER_THREADS = 4
METRIC_KEYS = ("loss", "accuracy", "throughput")
FINISH_TIMEOUT = 90.0  # seconds for every run of the DAG to finish after the restart
REQUEST_TIMEOUT = 30.0
USER, PASSWORD = "alice", "bob"


class CannotRun(Exception):
    """The binary itself cannot be started: the rounds stop there (not a finding about Flowline)."""


def default_binary():
    return os.path.abspath(os.environ.get("FLOWLINE_BIN", str(ROOT / ".build" / "debug" / "flowline")))


class Flowline:
    """`flowline up` on `data_dir` with every port 0; its standard error is appended to
    `log_path` (kept for a failed round), its standard output read for the service URLs."""

    def __init__(self, binary, data_dir, log_path, start_timeout=60.0):
        arguments = [binary, "up", "--data-dir", str(data_dir), "--log-level", "warning"]
        for service in SERVICES:
            arguments += [f"--{service}-port", "0"]
        self.log = open(log_path, "a")
        try:
            self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log, text=True)
        except OSError as error:  # e.g. the binary is missing, or being rebuilt ("Text file busy")
            self.log.close()
            raise CannotRun(f"cannot run {binary}: {error}") from error
        self.output = ""
        # A server that hangs before printing its URLs is killed, which ends the reading below.
        watchdog = threading.Timer(start_timeout, self.process.kill)
        watchdog.start()
        try:
            while "Press Ctrl-C to stop." not in self.output:
                line = self.process.stdout.readline()
                if not line:
                    self.process.wait()
                    self.log.close()
                    raise RuntimeError(
                        f"flowline exited ({self.process.returncode}) before it was up (or was not up within "
                        f"{start_timeout:.0f} s); its output: {self.output!r}; the end of its log ({log_path}): "
                        f"{Path(log_path).read_text(errors='replace')[-1000:]!r}"
                    )
                self.output += line
        finally:
            watchdog.cancel()
        # Nothing much is printed after start ("Flowline stopped."), but a pipe nobody reads must
        # never be able to block the server.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def url(self, service):
        match = re.search(rf"^\s*{service}\s+(http://\S+)", self.output, re.MULTILINE)
        if not match:
            raise RuntimeError(f"no {service} URL in {self.output!r}")
        return match.group(1)

    def kill(self):
        """SIGKILL, as a crash."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()

    def stop(self, timeout=30.0):
        """SIGTERM, as a graceful stop; returns the exit status (None if it had to be killed)."""
        status = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        else:
            status = self.process.returncode
        self.log.close()
        return status


def login(orchestrator):
    answer = requests.post(f"{orchestrator}/auth/token", json={"username": USER, "password": PASSWORD}, timeout=REQUEST_TIMEOUT)
    if answer.status_code != 201:
        raise RuntimeError(f"login answered {answer.status_code}: {answer.text[:200]}")
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@dataclasses.dataclass
class Load:
    """What the clients sent and what the server acknowledged, shared by the client threads."""

    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    # tracking run id -> writes (key, step, value) sent / answered 200
    sent: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))
    acknowledged: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))
    runs_sent: set = dataclasses.field(default_factory=set)
    runs_acknowledged: set = dataclasses.field(default_factory=set)
    unexpected: list = dataclasses.field(default_factory=list)  # answers that were neither 200 nor a dead server


def metric_writer(tracking, number, round_number, load, stop):
    """Creates a tracking run, then logs metrics to it until `stop` or the server is gone."""
    session = requests.Session()
    try:
        answer = session.post(
            f"{tracking}/api/2.0/mlflow/runs/create",
            json={"experiment_id": "0", "run_name": f"crash-round-{round_number}-writer-{number}", "start_time": int(time.time() * 1000)},
            timeout=REQUEST_TIMEOUT,
        )
        if answer.status_code != 200:
            with load.lock:
                load.unexpected.append(f"runs/create answered {answer.status_code}: {answer.text[:200]}")
            return
        run_id = answer.json()["run"]["info"]["run_id"]
        step = 0
        while not stop.is_set():
            key = METRIC_KEYS[step % len(METRIC_KEYS)]
            value = step + number / 100 + 0.5  # unique per (run, key, step), and never a round number
            with load.lock:
                load.sent[run_id].add((key, step, value))
            answer = session.post(
                f"{tracking}/api/2.0/mlflow/runs/log-metric",
                json={"run_id": run_id, "key": key, "value": value, "step": step, "timestamp": int(time.time() * 1000)},
                timeout=REQUEST_TIMEOUT,
            )
            if answer.status_code == 200:
                with load.lock:
                    load.acknowledged[run_id].add((key, step, value))
            else:
                with load.lock:
                    load.unexpected.append(f"log-metric answered {answer.status_code}: {answer.text[:200]}")
                return
            step += 1
    except requests.RequestException:
        pass  # the server was killed: whatever was in flight has no answer, so it is not counted
    finally:
        session.close()


def trigger(orchestrator, headers, number, round_number, load, stop, rng):
    """Triggers runs of the DAG with unique run ids, a few a second, until `stop` or the server is gone."""
    session = requests.Session()
    try:
        while not stop.is_set():
            run_id = f"crash-{round_number}-{number}-{uuid.uuid4().hex[:12]}"
            with load.lock:
                load.runs_sent.add(run_id)
            answer = session.post(
                f"{orchestrator}/api/v2/dags/{DAG_ID}/dagRuns",
                json={"logical_date": None, "dag_run_id": run_id},
                headers=headers,
                timeout=REQUEST_TIMEOUT,
            )
            if answer.status_code == 200:
                with load.lock:
                    load.runs_acknowledged.add(run_id)
            else:
                with load.lock:
                    load.unexpected.append(f"trigger answered {answer.status_code}: {answer.text[:200]}")
                return
            # Paced so that the round's runs can finish in time: the DAG runs at most 4 at once.
            stop.wait(rng.uniform(0.1, 0.4))
    except requests.RequestException:
        pass
    finally:
        session.close()


def metric_history(tracking, run_id, key):
    """Every entry of one metric's history, following the pages."""
    entries, token = [], None
    while True:
        parameters = {"run_id": run_id, "metric_key": key, "max_results": 10000}
        if token:
            parameters["page_token"] = token
        answer = requests.get(f"{tracking}/api/2.0/mlflow/metrics/get-history", params=parameters, timeout=REQUEST_TIMEOUT)
        answer.raise_for_status()
        body = answer.json()
        entries += [(entry["key"], int(entry.get("step", 0)), float(entry["value"])) for entry in body.get("metrics", [])]
        token = body.get("next_page_token")
        if not token:
            return entries


def dag_runs(orchestrator, headers):
    """Every run of the DAG: a list of (run id, state)."""
    runs, offset = [], 0
    while True:
        answer = requests.get(
            f"{orchestrator}/api/v2/dags/{DAG_ID}/dagRuns",
            params={"limit": 100, "offset": offset, "order_by": "run_after"},
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        )
        answer.raise_for_status()
        body = answer.json()
        page = body["dag_runs"]
        runs += [(run["dag_run_id"], run["state"]) for run in page]
        offset += len(page)
        if not page or offset >= body["total_entries"]:
            return runs


def integrity(database):
    """`PRAGMA integrity_check` of a SQLite file opened read-only: 'ok' or what it found."""
    if not database.exists():
        return f"{database.name} is missing"
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    result = "; ".join(str(row[0]) for row in rows)
    return "ok" if result == "ok" else f"{database.name}: {result[:500]}"


@dataclasses.dataclass
class RoundResult:
    number: int
    killed_after: float = 0.0
    writes_acknowledged: int = 0
    writes_found: int = 0
    duplicates: int = 0
    runs_triggered: int = 0
    runs_found: int = 0
    runs_finished: int = 0
    runs_pending_at_restart: int = None  # queued or running when the restarted server first answered
    integrity_ok: bool = False
    seconds: float = 0.0
    violations: list = dataclasses.field(default_factory=list)

    def line(self):
        status = "ok" if not self.violations else f"{len(self.violations)} VIOLATION(S)"
        return (
            f"round {self.number:3}: killed after {self.killed_after:.1f} s; metric writes {self.writes_acknowledged} acknowledged, "
            f"{self.writes_found} found, {self.duplicates} duplicates; runs {self.runs_triggered} triggered, {self.runs_found} found, "
            f"{self.runs_pending_at_restart or 0} unfinished at the restart, {self.runs_finished} finished; integrity {'ok' if self.integrity_ok else 'BAD'}; {self.seconds:.0f} s: {status}"
        )


def load_and_crash(number, binary, data_dir, log_path, rng, result):
    """Steps 1-3: starts the server, loads it, kills it with SIGKILL after 1-5 s. Returns the
    `Load`, whose acknowledged writes and triggers all got their answer before the kill."""
    load, stop, threads = Load(), threading.Event(), []
    server = Flowline(binary, data_dir, log_path)
    try:
        tracking, orchestrator = server.url("tracking"), server.url("orchestrator")
        headers = login(orchestrator)
        for n in range(METRIC_THREADS):
            threads.append(threading.Thread(target=metric_writer, args=(tracking, n, number, load, stop), daemon=True))
        for n in range(TRIGGER_THREADS):
            arguments = (orchestrator, headers, n, number, load, stop, random.Random(rng.random()))
            threads.append(threading.Thread(target=trigger, args=arguments, daemon=True))
        for thread in threads:
            thread.start()
        result.killed_after = rng.uniform(1.0, 5.0)
        time.sleep(result.killed_after)
    finally:
        server.kill()  # kill -9: every answer the clients got came before this
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    if any(thread.is_alive() for thread in threads):
        result.violations.append("a client thread still waits for an answer from the killed server")
    result.violations += [f"unexpected answer under load: {text}" for text in load.unexpected[:5]]
    result.writes_acknowledged = sum(len(writes) for writes in load.acknowledged.values())
    result.runs_triggered = len(load.runs_acknowledged)
    return load


def check_metrics(tracking, load, result):
    """Every acknowledged write is in its run's history exactly once; nothing unsent is there."""
    for run_id, sent in load.sent.items():
        for key in METRIC_KEYS:
            entries = collections.Counter(metric_history(tracking, run_id, key))
            expected = {write for write in load.acknowledged.get(run_id, set()) if write[0] == key}
            attempted = {write for write in sent if write[0] == key}
            found = expected & set(entries)
            result.writes_found += len(found)
            lost = sorted(expected - found)
            doubled = {write: count for write, count in entries.items() if count > 1}
            phantoms = sorted(set(entries) - attempted)
            result.duplicates += sum(count - 1 for count in doubled.values())
            if lost:
                result.violations.append(f"tracking run {run_id}: {len(lost)} acknowledged writes of {key!r} lost, e.g. {lost[:3]}")
            if doubled:
                result.violations.append(f"tracking run {run_id}: writes of {key!r} stored more than once: {list(doubled.items())[:3]}")
            if phantoms:
                result.violations.append(f"tracking run {run_id}: {len(phantoms)} entries of {key!r} never sent: {phantoms[:3]}")


def check_runs(orchestrator, headers, load, result, log):
    """Every acknowledged trigger exists exactly once, and every run of the DAG (this round's and
    any earlier one's) finishes within FINISH_TIMEOUT."""
    acknowledged = load.runs_acknowledged
    counts = collections.Counter(run_id for run_id, _ in dag_runs(orchestrator, headers))
    result.runs_found = sum(1 for run_id in acknowledged if counts[run_id] >= 1)
    missing = sorted(run_id for run_id in acknowledged if counts[run_id] == 0)
    doubled = {run_id: count for run_id, count in counts.items() if count > 1}
    if missing:
        result.violations.append(f"{len(missing)} acknowledged dag runs are missing, e.g. {missing[:3]}")
    if doubled:
        result.violations.append(f"dag runs listed more than once: {list(doubled.items())[:3]}")
    # A few also one by one, through the route that reads a single run.
    for run_id in sorted(acknowledged)[:3] + sorted(acknowledged)[-3:]:
        answer = requests.get(f"{orchestrator}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}", headers=headers, timeout=REQUEST_TIMEOUT)
        if answer.status_code != 200 or answer.json().get("dag_run_id") != run_id:
            result.violations.append(f"GET dagRuns/{run_id} answered {answer.status_code}: {answer.text[:200]}")

    deadline = time.monotonic() + FINISH_TIMEOUT
    while True:
        states = dict(dag_runs(orchestrator, headers))
        unfinished = {run_id: state for run_id, state in states.items() if state not in ("success", "failed")}
        if result.runs_pending_at_restart is None:
            result.runs_pending_at_restart = len(unfinished)
        if not unfinished or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    result.runs_finished = sum(1 for run_id in acknowledged if states.get(run_id) in ("success", "failed"))
    if unfinished:
        result.violations.append(
            f"{len(unfinished)} dag runs not finished {FINISH_TIMEOUT:.0f} s after the restart, e.g. {list(unfinished.items())[:3]}"
        )
    failed = sum(1 for run_id in acknowledged if states.get(run_id) == "failed")
    if failed:
        log(f"  ({failed} of round {result.number}'s runs failed rather than succeeded: allowed after a crash)")


def run_round(number, binary, data_dir, rng, log=print):
    """One round: load, kill -9, restart, check. Returns its RoundResult (violations listed)."""
    result = RoundResult(number)
    started = time.monotonic()
    log_path = Path(data_dir).parent / f"{Path(data_dir).name}-server.log"
    try:
        load = load_and_crash(number, binary, data_dir, log_path, rng, result)
        server = Flowline(binary, data_dir, log_path)  # the restart after the crash
        try:
            headers = login(server.url("orchestrator"))  # tokens do not survive a restart
            check_metrics(server.url("tracking"), load, result)
            check_runs(server.url("orchestrator"), headers, load, result, log)
        finally:
            status = server.stop()
        if status != 0:
            result.violations.append(f"flowline exited with {status} after SIGTERM (expected 0)")
    except (RuntimeError, requests.RequestException) as error:
        # A server that does not start again or does not answer the checks is a violation too.
        result.violations.append(f"{type(error).__name__}: {error}")
    # Step 5: the databases, closed by the graceful stop, opened read-only.
    problems = [outcome for outcome in (integrity(Path(data_dir) / name) for name in ("tracking.db", "orchestrator.db")) if outcome != "ok"]
    result.integrity_ok = not problems
    result.violations += [f"integrity_check: {problem}" for problem in problems]
    result.seconds = time.monotonic() - started
    if result.violations:
        result.violations.append(f"the server's log: {log_path}")
    return result


def summary(results):
    """The final table, one row per round and a total."""
    header = ("round", "killed s", "writes acked", "writes found", "duplicates", "runs triggered", "runs found", "runs finished", "integrity")
    rows = [
        (str(r.number), f"{r.killed_after:.1f}", str(r.writes_acknowledged), str(r.writes_found), str(r.duplicates),
         str(r.runs_triggered), str(r.runs_found), str(r.runs_finished), "ok" if r.integrity_ok else "BAD")
        for r in results
    ]
    rows.append((
        f"{len(results)} rounds", "",
        str(sum(r.writes_acknowledged for r in results)), str(sum(r.writes_found for r in results)),
        str(sum(r.duplicates for r in results)), str(sum(r.runs_triggered for r in results)),
        str(sum(r.runs_found for r in results)), str(sum(r.runs_finished for r in results)),
        "ok" if all(r.integrity_ok for r in results) else "BAD",
    ))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(lines)


def run_rounds(rounds, binary, data_dir, seed=None, log=print):
    """Runs `rounds` rounds on `data_dir` and returns their RoundResults; prints a line per round."""
    rng = random.Random(seed)
    results = []
    for number in range(1, rounds + 1):
        try:
            result = run_round(number, binary, data_dir, rng, log=log)
        except CannotRun as error:
            log(f"round {number:3}: aborted: {error}")
            raise
        results.append(result)
        log(result.line())
        for violation in result.violations:
            log(f"    {violation}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", nargs="?", type=int, default=20, help="how many kill -9 rounds (default 20)")
    parser.add_argument("--data-dir", help="the data directory shared by the rounds (default: a new temporary one)")
    parser.add_argument("--seed", type=int, help="seed of the random kill times, for a repeatable sequence")
    parser.add_argument("--binary", default=default_binary(), help="the flowline binary (default: $FLOWLINE_BIN or .build/debug/flowline)")
    arguments = parser.parse_args()
    if not os.access(arguments.binary, os.X_OK):
        sys.exit(f"flowline binary not found at {arguments.binary}: run `swift build` first or set FLOWLINE_BIN")
    given = arguments.data_dir is not None
    data_dir = Path(arguments.data_dir or tempfile.mkdtemp(prefix="flowline-crash-")) / "data"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    print(f"{arguments.rounds} rounds of kill -9 under load; data directory {data_dir}", flush=True)
    started = time.monotonic()
    try:
        results = run_rounds(arguments.rounds, arguments.binary, data_dir, seed=arguments.seed, log=lambda text: print(text, flush=True))
    except CannotRun:
        print(f"aborted; data directory kept in {data_dir.parent}")
        sys.exit(2)
    print()
    print(summary(results))
    failed = [r for r in results if r.violations]
    print(f"\n{len(results)} rounds in {time.monotonic() - started:.0f} s: " + (f"{len(failed)} with violations" if failed else "no violation"))
    if failed:
        print(f"data directory and server log kept in {data_dir.parent}")
        sys.exit(1)
    if not given:
        shutil.rmtree(data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
