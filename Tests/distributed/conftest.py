"""Fixtures of the distributed tests: a Flowline cluster over the hosts of a test network
(netns.py): PostgreSQL in `pg`, two servers (`server1`, `server2`, each with its own data
directory, one shared DAGs folder and one shared run storage on the common filesystem), three
workers (`worker1`..`worker3`, each with its own data directory) and, for the example DAG, the
samples and tracking services in `services`. Processes are started as a user would, with the built
`flowline` binary (FLOWLINE_BIN), their output read as it comes (like Tests/clients/conftest.py).

The tests need the `flowline worker` subcommand (issue 14); without it they skip, saying so."""
import collections
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from urllib.parse import quote
from pathlib import Path

import pytest
import requests

from netns import Network, pid_alive, wait_for
from postgres import Postgres

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ["pg", "services", "server1", "server2", "worker1", "worker2", "worker3"]
ADMIN = ("alice", "bob")
WORKER_TIMEOUT = "3s"
HEARTBEAT = "1s"


def flowline_binary() -> str:
    binary = os.path.abspath(os.environ.get("FLOWLINE_BIN", str(ROOT / ".build" / "debug" / "flowline")))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"flowline binary not found at {binary}: run `swift build` first or set FLOWLINE_BIN")
    return binary


def has_worker_subcommand() -> bool:
    binary = os.path.abspath(os.environ.get("FLOWLINE_BIN", str(ROOT / ".build" / "debug" / "flowline")))
    if not os.access(binary, os.X_OK):
        return False
    answer = subprocess.run([binary, "worker", "--help"], capture_output=True, text=True)
    return answer.returncode == 0 and "--server" in answer.stdout


_help = {}


def supports(command, option) -> bool:
    """Whether `flowline COMMAND --help` lists `option` (flags the design names but a build may
    not have yet are passed only when it does: --run-storage, --heartbeat-interval)."""
    if command not in _help:
        _help[command] = subprocess.run([flowline_binary(), command, "--help"], capture_output=True, text=True).stdout
    return option in _help[command]


requires_workers = pytest.mark.skipif(
    not has_worker_subcommand(), reason="FLOWLINE_BIN has no `flowline worker` subcommand yet (issue 14)"
)


def environment(**extra):
    """The environment of every Flowline process: the binary's folder first on PATH (bash tasks
    call `flowline`), no MLflow or Flowline settings of the caller."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MLFLOW_", "FLOWLINE_"))}
    env["PATH"] = os.path.dirname(flowline_binary()) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


class Process:
    """A process on a host; stdout and stderr read together as they come (last 4,096 lines kept)."""

    def __init__(self, host, arguments, env, name):
        self.host, self.name, self.arguments = host, name, arguments
        self.log = collections.deque(maxlen=4096)
        self.process = host.popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for line in iter(self.process.stdout.readline, ""):
            self.log.append(line[-4096:])

    @property
    def output(self) -> str:
        return "".join(self.log)

    def wait_for_output(self, text, timeout=60):
        def seen():
            if text in self.output:
                return True
            if self.process.poll() is not None:
                time.sleep(0.2)
                if text in self.output:
                    return True
                raise AssertionError(f"{self.name} exited ({self.process.returncode}) before printing {text!r}:\n{self.output[-4000:]}")
            return False
        wait_for(seen, timeout, message=f"{text!r} from {self.name}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill9(self):
        """SIGKILL to the process itself (its children, the tasks, run on as orphans)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout=15):
        if self.process.poll() is None:
            self.host.kill_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.host.kill_group(self.process, signal.SIGKILL)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class Cluster:
    def __init__(self, request):
        self.network = Network.create(HOSTS)
        mode = f"network namespaces on {self.network.subnet}" if self.network.namespaces else f"separate processes on 127.0.0.1 ({self.network.fallback_reason})"
        print(f"\n[distributed] {request.node.name}: hosts as {mode}")
        self.folder = Path(tempfile.mkdtemp(prefix="flowline-dist-"))
        os.chmod(self.folder, 0o755)
        self.shared = self.folder / "shared"  # the common filesystem: DAGs, run storage, task markers
        for name in ("dags", "run-storage", "markers"):
            (self.shared / name).mkdir(parents=True)
        self.dags, self.run_storage, self.markers = self.shared / "dags", self.shared / "run-storage", self.shared / "markers"
        self.postgres = None
        self.servers, self.workers, self.others = {}, {}, []
        self.ports = {}
        self.worker_timeout = WORKER_TIMEOUT
        self._sessions = {}
        try:
            self.postgres = Postgres(self.network["pg"], self.network)
            self.database = self.postgres.new_database()
        except BaseException:
            self.close()
            raise

    # Processes

    def flowline(self, host, arguments, name, **env):
        process = Process(self.network[host], [flowline_binary(), *arguments], environment(**env), name)
        self.others.append(process)
        return process

    def start_server(self, name, examples=False, workers=True, worker_timeout=WORKER_TIMEOUT):
        """`flowline server` in host `name` on the cluster's database, the shared DAGs folder and
        (with `workers`) the shared run storage, no local executor and the short worker timeout;
        without `workers`, a plain one-machine server with its local executor."""
        host = self.network[name]
        port = self.ports.setdefault(name, host.port(8080))
        data = self.folder / name
        arguments = [
            "server", "--database", self.database, "--data-dir", str(data), "--host", "0.0.0.0" if self.network.namespaces else "127.0.0.1",
            "--port", str(port), "--dags-folder", str(self.dags), "--log-level", "info",
        ]
        if workers:
            arguments += ["--no-local-executor", "--worker-timeout", worker_timeout]
            if supports("server", "--run-storage"):
                arguments += ["--run-storage", str(self.run_storage)]
        self._sessions.pop(name, None)
        if not examples:
            arguments.append("--no-examples")
        process = Process(host, [flowline_binary(), *arguments], environment(), name)
        self.servers[name] = process
        process.wait_for_output("Press Ctrl-C to stop.", timeout=90)
        process.url = f"http://{host.address}:{port}"
        return process

    def start_servers(self, examples=False, worker_timeout=WORKER_TIMEOUT):
        # One after the other: the first creates the admin and installs the examples.
        self.worker_timeout = worker_timeout
        self.start_server("server1", examples, worker_timeout=worker_timeout)
        self.start_server("server2", examples, worker_timeout=worker_timeout)

    def server_urls(self):
        """Every server's URL (also of one killed: a worker is given both)."""
        return [f"http://{self.network[name].address}:{self.ports[name]}" for name in ("server1", "server2") if name in self.ports]

    def create_token(self, name):
        """`flowline workers token create NAME --database URL`: the token, one `flw_…` line on stdout."""
        answer = subprocess.run([flowline_binary(), "workers", "token", "create", name, "--database", self.database],
                                capture_output=True, text=True, env=environment(), timeout=60, cwd=self.folder)
        assert answer.returncode == 0, answer.stderr
        lines = answer.stdout.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("flw_"), f"expected one flw_… line on stdout, got {answer.stdout!r}"
        return lines[0]

    def revoke_token(self, name):
        answer = subprocess.run([flowline_binary(), "workers", "token", "revoke", name, "--database", self.database],
                                capture_output=True, text=True, env=environment(), timeout=60, cwd=self.folder)
        assert answer.returncode == 0, answer.stderr

    def start_worker(self, host, queues="default", concurrency=4, token=None, name=None, wait=True):
        name = name or host
        arguments = ["worker"]
        for url in self.server_urls():
            arguments += ["--server", url]
        arguments += ["--queues", queues, "--concurrency", str(concurrency), "--name", name,
                      "--data-dir", str(self.folder / f"{name}-data"), "--dags-folder", str(self.dags)]
        if supports("worker", "--heartbeat-interval"):
            arguments += ["--heartbeat-interval", HEARTBEAT]
        process = Process(self.network[host], [flowline_binary(), *arguments],
                          environment(FLOWLINE_WORKER_TOKEN=self.create_token(name) if token is None else token), name)
        process.data_dir = self.folder / f"{name}-data"
        self.workers[name] = process
        if wait:
            wait_for(lambda: self.worker(name) is not None or (not process.alive() and self._dead(process)), 60,
                     message=f"worker {name} in GET /api/v2/workers")
        return process

    def start_workers(self, count=3, concurrency=4, queues=None):
        for index in range(1, count + 1):
            self.start_worker(f"worker{index}", queues=(queues or {}).get(index, "default"), concurrency=concurrency, wait=False)
        for index in range(1, count + 1):
            name = f"worker{index}"
            wait_for(lambda: self.worker(name) is not None or self._dead(self.workers[name]), 60,
                     message=f"worker {name} in GET /api/v2/workers")

    @staticmethod
    def _dead(process):
        if process.alive():
            return False
        raise AssertionError(f"{process.name} exited ({process.process.returncode}):\n{process.output[-4000:]}")

    def close(self):
        for process in [*self.workers.values(), *self.servers.values(), *self.others]:
            process.stop(timeout=5)
        if self.postgres:
            self.postgres.stop()
        self.network.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # REST API (through whichever server answers)

    @staticmethod
    def login(url, username, password):
        """A requests session with a login token of the server at `url`."""
        answer = requests.post(f"{url}/auth/token", json={"username": username, "password": password}, timeout=10)
        assert answer.status_code == 201, answer.text
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return session

    def api(self, method, path, **options):
        """`method path` as the admin on the first live server (a killed one is skipped). Each
        server is logged in to on its own: a login token need not be valid on the other server."""
        last = None
        for name in ("server1", "server2"):
            process = self.servers.get(name)
            if process is None or not process.alive():
                continue
            try:
                session = self._sessions.get(name)
                if session is None:
                    session = self._sessions[name] = self.login(process.url, *ADMIN)
                return session.request(method, process.url + path, timeout=30, **options)
            except requests.RequestException as error:
                last = error
                self._sessions.pop(name, None)
        raise AssertionError(f"no server answers {method} {path}: {last}")

    def workers_list(self):
        """GET /api/v2/workers: the list of workers (`{"workers": [...]}`, or a bare list)."""
        answer = self.api("GET", "/api/v2/workers")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return body["workers"] if isinstance(body, dict) else body

    def worker(self, name):
        for worker in self.workers_list():
            if worker.get("name", worker.get("worker_name")) == name:
                return worker
        return None

    def write_dag(self, dag_id, text):
        path = self.dags / f"{dag_id}.yaml"
        partial = path.with_suffix(".partial")
        partial.write_text(text)
        os.replace(partial, path)
        wait_for(lambda: self.api("GET", f"/api/v2/dags/{dag_id}").status_code == 200, 60, message=f"DAG {dag_id} parsed")
        errors = self.api("GET", "/api/v2/importErrors").json()
        assert not [e for e in errors.get("import_errors", []) if dag_id in json.dumps(e)], errors
        answer = self.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        assert answer.status_code == 200, answer.text

    def trigger(self, dag_id, conf=None):
        """Triggers a run; a 404 is retried for a while (a server whose DAGs-folder watcher has not
        yet read a file that the other one already recorded does not know the DAG yet)."""
        deadline = time.monotonic() + 30
        while True:
            answer = self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}})
            if answer.status_code != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["dag_run_id"]

    def run_report(self, dag_id, run_id):
        """Each task's state, host and the end of its last try's log: for failure messages."""
        lines = []
        for ti in self.task_instances(dag_id, run_id):
            lines.append(f"--- {ti['task_id']}: {ti['state']} (try {ti['try_number']} on {ti['hostname']})")
            if ti["try_number"]:
                lines.append(self.log(dag_id, run_id, ti["task_id"], ti["try_number"])[-1500:])
        return "\n".join(lines)

    def run_state(self, dag_id, run_id):
        answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")
        return answer.json()["state"] if answer.status_code == 200 else None

    def wait_run(self, dag_id, run_id, timeout=120):
        def finished():
            state = self.run_state(dag_id, run_id)
            return state if state in ("success", "failed") else None
        return wait_for(finished, timeout, interval=0.5, message=f"run {run_id} of {dag_id} to finish")

    def task_instances(self, dag_id, run_id):
        instances, offset = [], 0
        while True:
            answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances", params={"limit": 100, "offset": offset})
            assert answer.status_code == 200, answer.text
            page = answer.json()
            instances += page["task_instances"]
            offset += 100
            if offset >= page["total_entries"]:
                return instances

    def task_instance(self, dag_id, run_id, task_id):
        answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def tries(self, dag_id, run_id, task_id):
        answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/tries")
        assert answer.status_code == 200, answer.text
        return sorted(answer.json()["task_instances"], key=lambda t: t["try_number"])

    def log(self, dag_id, run_id, task_id, try_number, server=None):
        """A try's log as the first live server (or `server`, by name) shows it; "" when it has none."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/logs/{try_number}"
        if server is None:
            answer = self.api("GET", path, headers={"Accept": "text/plain"})
        else:
            session = self._sessions.get(server) or self._sessions.setdefault(server, self.login(self.servers[server].url, *ADMIN))
            answer = session.get(self.servers[server].url + path, headers={"Accept": "text/plain"}, timeout=30)
        return answer.text if answer.status_code == 200 else ""

    def host_of(self, line):
        """Which worker ran the task that wrote a marker line `<pid> <hostname> <cwd> <ancestor pids…>`
        (test_distributed.where): the worker whose process is an ancestor of the task, else the one
        whose data directory holds the task's working directory, else by host name (namespaces
        give each host its own)."""
        words = line.split()
        ancestors = {int(word) for word in words[3:] if word.isdigit()}
        for name, worker in self.workers.items():
            if worker.process.pid in ancestors:
                return name
        for name, worker in self.workers.items():
            if len(words) > 2 and words[2].startswith(str(worker.data_dir) + "/"):
                return name
        for name in self.workers:
            if len(words) > 1 and words[1] == name:
                return name
        return None

    def diagnostics(self):
        parts = []
        for process in [*self.servers.values(), *self.workers.values()]:
            parts.append(f"--- {process.name} ({'alive' if process.alive() else f'exit {process.process.returncode}'})\n{process.output[-3000:]}")
        return "\n".join(parts)


@pytest.fixture
def cluster(request):
    """PostgreSQL in its host, nothing else yet: the test starts servers and workers it needs."""
    cluster = Cluster(request)
    yield cluster
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print(cluster.diagnostics())
    cluster.close()
    if cluster.network.namespaces:
        assert cluster.network.leftovers() == []


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


__all__ = ["Cluster", "pid_alive", "requires_workers", "wait_for"]
