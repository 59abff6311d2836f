"""Hostile clients against `flowline up`: slowloris, half-sent bodies, ten thousand idle
connections and oversized headers, each aimed at all four services, while a well-behaved client
keeps probing `GET /health` on every service. The servers close connections that send no complete
request part for 30 s and keep at most a quarter of their descriptors as connections (closing the
longest-idle one to make room), so the well-behaved client must keep getting quick answers.

Every attack runs against all four services at once (one process serves them all, so that is the
harsher case) and every service is probed while it goes on. The slowloris test also checks that
the server closes what the attackers leave hanging (a silent connection, headers trickled one byte
a second, a body that never comes) within 35 s; it lasts that long anyway, so it costs nothing."""
import http.client
import math
import os
import resource
import selectors
import socket
import statistics
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest

SERVICES = ("orchestrator", "tracking", "samples", "serving")

# What `GET /health` answers on a fresh data directory. The model server follows MLflow's scoring
# protocol: 503 until a champion model exists, which a fresh data directory does not have.
HEALTHY = {"orchestrator": {200}, "tracking": {200}, "samples": {200}, "serving": {200, 503}}

# A route per service that reads a request body, for the half-sent bodies.
BODY_ROUTES = {
    "orchestrator": "/auth/token",
    "tracking": "/api/2.0/mlflow/runs/log-metric",
    "samples": "/get-samples",
    "serving": "/invocations",
}

# The latency bound of a normal request during an attack: its p95 must stay within
# max(10 x the baseline median, 250 ms). The baseline on loopback is about a millisecond, and on a
# small CI machine (2 shared cores running the debug server, the attackers and the prober at once)
# scheduling noise alone reaches tens of milliseconds; 250 ms absorbs that, while what an attack
# that works looks like is far above it: a starved event loop or a full accept queue (SYN retried
# after 1 s, 3 s, ...) costs seconds, and a refused connection or a timeout fails at once. The
# relative term keeps the bound meaningful on a slower machine, where the baseline is larger.
LATENCY_FACTOR = 10
LATENCY_FLOOR = 0.250
# A normal request taking this long counts as a hang (failed), not as a slow answer.
REQUEST_TIMEOUT = 10.0

# The servers' idle/header timeout is 30 s; the check allows 5 s of slack on a busy machine.
SERVER_IDLE_TIMEOUT = 30.0
CLOSE_DEADLINE = 35.0

IDLE_CONNECTIONS = 10_000
DESCRIPTORS_NEEDED = 10_500


def addresses(stack):
    """(host, port) of each service, from the URLs `flowline up` printed."""
    result = {}
    for service in SERVICES:
        url = urlparse(stack.url(service))
        result[service] = (url.hostname, url.port)
    return result


def probe(address):
    """One normal request: `GET /health` on a new connection. Returns (seconds, status) or
    (seconds, the exception) when it failed or did not answer within REQUEST_TIMEOUT."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(*address, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - start, response.status
    except (OSError, http.client.HTTPException) as error:
        return time.perf_counter() - start, error
    finally:
        connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure_baseline(targets, count=50):
    """Median latency of `count` sequential normal requests to each service, before any attack."""
    medians = {}
    for service, address in targets.items():
        results = [probe(address) for _ in range(count)]
        failures = [outcome for _, outcome in results if outcome not in HEALTHY[service]]
        assert not failures, f"{service}: baseline GET /health failed before any attack: {failures[:3]}"
        medians[service] = statistics.median(seconds for seconds, _ in results)
    print("\nbaseline GET /health median: " + ", ".join(f"{s} {m * 1000:.2f} ms" for s, m in medians.items()))
    return medians


class Prober:
    """A well-behaved client in a thread: probes every service in turn, about 20 rounds a second,
    until stopped, keeping each request's latency and outcome."""

    def __init__(self, targets):
        self.targets = targets
        self.results = {service: [] for service in targets}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prober", daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for service, address in self.targets.items():
                self.results[service].append(probe(address))
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=4 * REQUEST_TIMEOUT + 5)


def assert_normal_clients_served(attack, baseline, prober, bounded=True):
    """Every normal request during `attack` succeeded, and (when `bounded`) its p95 per service
    stayed within max(LATENCY_FACTOR x the baseline median, LATENCY_FLOOR)."""
    problems, lines = [], []
    for service, results in prober.results.items():
        assert results, f"{attack}: no normal request to {service} was even attempted"
        latencies = [seconds for seconds, _ in results]
        failures = [(round(seconds, 3), outcome) for seconds, outcome in results if outcome not in HEALTHY[service]]
        p50, p95, worst = percentile(latencies, 0.5), percentile(latencies, 0.95), max(latencies)
        bound = max(LATENCY_FACTOR * baseline[service], LATENCY_FLOOR)
        lines.append(
            f"  {service:12} n={len(results):4}  p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"max {worst * 1000:7.1f} ms  (baseline {baseline[service] * 1000:.2f} ms"
            + (f", bound {bound * 1000:.0f} ms)" if bounded else ", latency not bounded)")
        )
        if failures:
            problems.append(f"{service}: {len(failures)} of {len(results)} normal requests failed, e.g. {failures[:3]}")
        if bounded and p95 > bound:
            problems.append(f"{service}: p95 {p95 * 1000:.1f} ms of normal requests is over the bound {bound * 1000:.0f} ms")
    report = f"{attack}: normal GET /health during the attack\n" + "\n".join(lines)
    print(report)
    assert not problems, report + "\n" + "\n".join(problems)


class Connections:
    """Many raw TCP connections of an attacker, watched from one thread: each sends its opening
    bytes once connected and then `trickle` every second (if any); the moment the server closes
    each one is recorded. Every socket is closed (with a reset, so no TIME_WAIT piles up) by
    `close`, which the tests call in a `finally` or through `with`."""

    def __init__(self, trickle=b""):
        self.trickle = trickle
        self.sockets = {}  # socket -> (service, opened at)
        self.closed_after = {}  # socket -> seconds from opening to the server closing it
        self.answers = {}  # socket -> first bytes the server sent, if any
        self.selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="attacker", daemon=True)

    def open(self, service, address, count, opening=b"", batch=250, timeout=60.0):
        """Connects `count` sockets to `address` and sends each `opening`, `batch` at a time, as
        fast as the server accepts them: after each batch one request on a new connection waits
        for the server to have accepted it (its accept queue is first in, first out). A faster
        flood would overflow the listen backlog (1024); the kernel then drops SYNs and every
        client, normal ones included, waits for the retransmission after 1 s: that measures the
        kernel's backlog, not how the server treats the connections it holds."""
        remaining = count
        while remaining > 0:
            pending = set()
            for _ in range(min(batch, remaining)):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
                sock.setblocking(False)
                sock.connect_ex(address)
                pending.add(sock)
            remaining -= len(pending)
            waiter = selectors.DefaultSelector()
            for sock in pending:
                waiter.register(sock, selectors.EVENT_WRITE)
            deadline = time.monotonic() + timeout
            try:
                while pending:
                    left = deadline - time.monotonic()
                    assert left > 0, f"{len(pending)} attacker connections to {service} did not connect within {timeout} s"
                    for key, _ in waiter.select(timeout=left):
                        sock = key.fileobj
                        waiter.unregister(sock)
                        pending.discard(sock)
                        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if error:
                            sock.close()
                            raise AssertionError(f"an attacker connection to {service} failed: {error}")
                        if opening:
                            sock.send(opening)
                        with self._lock:
                            self.sockets[sock] = (service, time.monotonic())
                            self.selector.register(sock, selectors.EVENT_READ)
            finally:
                waiter.close()
                for sock in pending:
                    sock.close()
            probe(address)  # returns once the server has accepted the batch; its outcome does not matter

    def _record_close(self, sock):
        """The server closed `sock` (end of stream, or a reset seen when sending)."""
        _, opened = self.sockets[sock]
        self.closed_after[sock] = time.monotonic() - opened
        self.selector.unregister(sock)

    # The watcher wakes every TICK seconds; the trickle is spread over the ticks of each second
    # (each socket sends once a second, a twentieth of them at each tick), as independent clients
    # would, rather than all at once.
    TICK = 0.05

    def _watch(self):
        ticks_per_second = round(1 / self.TICK)
        tick = 0
        while not self._stop.is_set():
            with self._lock:
                events = self.selector.select(timeout=0) if self.selector.get_map() else []
                for key, _ in events:
                    sock = key.fileobj
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if data:
                        # An answer (e.g. 413 to a body announced too large); the server may still
                        # keep the connection, so it is watched further.
                        self.answers.setdefault(sock, data[:200])
                    else:
                        self._record_close(sock)
                if self.trickle:
                    for sock in list(self.sockets)[tick % ticks_per_second :: ticks_per_second]:
                        if sock in self.closed_after:
                            continue
                        try:
                            sock.send(self.trickle)
                        except BlockingIOError:
                            pass
                        except OSError:
                            self._record_close(sock)
            tick += 1
            self._stop.wait(self.TICK)

    def start(self):
        self._thread.start()
        return self

    def still_open(self, service=None):
        """The sockets (of `service`, or of all) the server has not closed."""
        with self._lock:
            return [
                sock for sock, (owner, _) in self.sockets.items()
                if sock not in self.closed_after and (service is None or owner == service)
            ]

    def close(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        with self._lock:
            for sock in self.sockets:
                sock.close()
            self.selector.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def measure_during(seconds, targets):
    """A Prober run for `seconds`."""
    with Prober(targets) as prober:
        time.sleep(seconds)
    return prober


@pytest.fixture
def descriptor_limit():
    """Raises this process's RLIMIT_NOFILE to its hard limit (returned), and restores it after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def server_connection_cap(pid):
    """The per-service connection cap the server computed: (limit - 1024) / 4 and at least 64, of
    its descriptor limit, which it raises to the hard limit (ServerPolicy.defaultMaximumConnections)."""
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                return max(64, (int(line.split()[3]) - 1024) // 4)
    raise AssertionError(f"no 'Max open files' in /proc/{pid}/limits")


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


# --- the attacks ---------------------------------------------------------------------------------


def test_slowloris_and_unfinished_requests_are_cut_off(stack):
    """500 connections per service trickle a never-ending header, one byte a second. Normal
    requests must be served throughout; after the 30 s header timeout the server must have closed
    every trickling connection, a connection that never sends anything and one whose announced
    body never comes (the check of "a silent connection is closed within ~35 s")."""
    targets = addresses(stack)
    baseline = measure_baseline(targets)
    slowloris = Connections(trickle=b"a")
    silent = Connections()
    half_sent = Connections()
    try:
        for service, address in targets.items():
            silent.open(service, address, 1)
            body_head = (
                f"POST {BODY_ROUTES[service]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: 100\r\n\r\n{{\"a\": "
            )
            half_sent.open(service, address, 1, opening=body_head.encode())
            slowloris.open(service, address, 500, opening=b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        all_open = time.monotonic()
        for connections in (slowloris, silent, half_sent):
            connections.start()
        # Normal clients are measured while the trickle goes on, until just before the server
        # cuts the trickling connections off (which it does 30 s after they opened).
        prober = measure_during(SERVER_IDLE_TIMEOUT - 4, targets)
        assert_normal_clients_served("slowloris (500 connections per service)", baseline, prober)
        # Then every connection left hanging must be closed by the server: wait until the last one
        # opened is past the deadline (each one's own time to close is checked below).
        deadline = all_open + CLOSE_DEADLINE + 1
        while time.monotonic() < deadline and (slowloris.still_open() or silent.still_open() or half_sent.still_open()):
            time.sleep(0.25)
        for name, connections in (("trickling slowloris", slowloris), ("silent", silent), ("half-sent body", half_sent)):
            lingering = {}
            for sock in connections.still_open():
                service = connections.sockets[sock][0]
                lingering[service] = lingering.get(service, 0) + 1
            late = [round(after, 1) for after in connections.closed_after.values() if after > CLOSE_DEADLINE]
            closed = sorted(connections.closed_after.values())
            print(
                f"{name} connections closed by the server after {closed[0]:.1f}..{closed[-1]:.1f} s"
                if closed else f"{name} connections: none closed by the server"
            )
            assert not lingering, f"{name} connections still open {CLOSE_DEADLINE} s after they opened, per service: {lingering}"
            assert not late, f"{name} connections were closed only after {late} s (deadline {CLOSE_DEADLINE} s)"
    finally:
        for connections in (slowloris, silent, half_sent):
            connections.close()


def test_half_sent_bodies_do_not_block_other_clients(stack):
    """200 connections per service send a POST head announcing a 1,000,000-byte body and a few
    bytes of it, then stall. A service may refuse such a body at once (413) or wait for it; either
    way normal requests must be served meanwhile."""
    targets = addresses(stack)
    baseline = measure_baseline(targets)
    attackers = []
    try:
        for service, address in targets.items():
            head = (
                f"POST {BODY_ROUTES[service]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: 1000000\r\n\r\n{{\"n_samples\": "
            )
            connections = Connections()
            attackers.append(connections)
            connections.open(service, address, 200, opening=head.encode())
            connections.start()
        prober = measure_during(8, targets)
        for connections in attackers:
            refused = sum(1 for answer in connections.answers.values() if answer.startswith(b"HTTP/1.1 4"))
            service = next(iter(connections.sockets.values()))[0]
            print(f"  {service}: {len(connections.still_open())} of 200 stalled bodies still open, {refused} answered 4xx early")
        assert_normal_clients_served("half-sent bodies (200 connections per service)", baseline, prober)
    finally:
        for connections in attackers:
            connections.close()


def test_ten_thousand_idle_connections(stack, descriptor_limit):
    """10,000 connections that send nothing, 2,500 to each service (under each service's cap):
    none may be dropped before the idle timeout, and normal clients of every service must keep
    being served. Then one service gets enough more to pass its cap (about 4,700 here) by 1,000: it
    must close the longest-idle ones to stay at its cap, and normal clients must still be served."""
    available = descriptor_limit
    assert available >= DESCRIPTORS_NEEDED, (
        f"this test needs {DESCRIPTORS_NEEDED} file descriptors for {IDLE_CONNECTIONS} idle connections, but "
        f"RLIMIT_NOFILE is only {available} even raised to its hard limit: raise that, e.g. `ulimit -Hn 20000`, and run again"
    )
    targets = addresses(stack)
    baseline = measure_baseline(targets)
    pid = stack.process.pid
    cap = server_connection_cap(pid)
    per_service = IDLE_CONNECTIONS // len(targets)
    with Connections() as idle:
        # While connections are being opened, a normal client's connection waits in the accept
        # queue behind the attacker's batch: that measures how fast the server accepts, not how
        # it treats the connections it holds. So there only failures are asserted; the latency
        # is printed. It is bounded once the connections are open and idle.
        started = time.monotonic()
        with Prober(targets) as opening:
            for service, address in targets.items():
                idle.open(service, address, per_service)
        print(f"\n{IDLE_CONNECTIONS} idle connections opened in {time.monotonic() - started:.1f} s; server descriptors: {open_descriptors(pid)}")
        idle.start()
        assert_normal_clients_served(f"opening {IDLE_CONNECTIONS} idle connections", baseline, opening, bounded=False)
        prober = measure_during(4, targets)
        assert_normal_clients_served(f"{IDLE_CONNECTIONS} idle connections ({per_service} per service)", baseline, prober)
        dropped = {service: per_service - len(idle.still_open(service)) for service in targets}
        assert not any(dropped.values()), (
            f"idle connections closed under the cap ({cap}) and before the {SERVER_IDLE_TIMEOUT:.0f} s idle timeout: {dropped}"
        )

        # Past the cap of one service: the orchestrator, whose port also serves the web UI.
        service, address = "orchestrator", targets["orchestrator"]
        extra = cap - per_service + 1000
        if IDLE_CONNECTIONS + extra + 200 > available:
            print(f"not enough descriptors ({available}) to pass the cap of {cap} connections; that part is skipped")
            return
        started = time.monotonic()
        with Prober(targets) as opening:
            idle.open(service, address, extra)
        print(f"{extra} more idle connections to {service} opened in {time.monotonic() - started:.1f} s")
        assert_normal_clients_served(f"opening {extra} more idle connections to {service}", baseline, opening, bounded=False)
        prober = measure_during(4, targets)
        kept = len(idle.still_open(service))
        print(f"{service} keeps {kept} of {per_service + extra} idle connections (cap {cap}); server descriptors: {open_descriptors(pid)}")
        assert_normal_clients_served(f"{per_service + extra} idle connections to {service}, over its cap", baseline, prober)
        assert kept <= cap, (
            f"{service} keeps {kept} idle connections open, more than its cap of {cap} (a quarter of its descriptor limit less 1024)"
        )


def oversized_request(address, kind):
    """Sends one request with oversized headers and reads what comes back: the status code, or
    'closed' when the server closed or reset the connection. A hang raises socket.timeout."""
    if kind == "one 100 KB header":
        headers = b"X-Big: " + b"a" * 100_000 + b"\r\n"
    else:
        headers = b"".join(b"X-Header-%d: value\r\n" % number for number in range(2000))
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"
    with socket.create_connection(address, timeout=REQUEST_TIMEOUT) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            return "closed"  # the server gave up on the request before it was all sent
        try:
            answer = sock.recv(256)
        except ConnectionResetError:
            return "closed"
        if not answer:
            return "closed"
        return int(answer.split(b" ", 2)[1])


def test_oversized_headers_are_refused_quickly(stack):
    """Requests with one 100 KB header or 2,000 headers, from 8 clients per service for several
    seconds: each must get 431/400 or a closed connection within 10 s, never hang, and normal
    requests must be served meanwhile."""
    targets = addresses(stack)
    baseline = measure_baseline(targets)
    outcomes = {}
    stop = threading.Event()

    def attacker(service, address):
        while not stop.is_set():
            for kind in ("one 100 KB header", "2,000 headers"):
                try:
                    outcome = oversized_request(address, kind)
                except socket.timeout:
                    outcome = f"no answer within {REQUEST_TIMEOUT} s"
                except OSError as error:
                    outcome = f"error {error!r}"
                outcomes.setdefault((service, kind, outcome), 0)
                outcomes[(service, kind, outcome)] += 1

    with ThreadPoolExecutor(max_workers=8 * len(targets)) as pool:
        workers = [pool.submit(attacker, service, address) for service, address in targets.items() for _ in range(8)]
        try:
            prober = measure_during(6, targets)
        finally:
            stop.set()
        for worker in workers:
            worker.result()
    for (service, kind, outcome), count in sorted(outcomes.items(), key=str):
        print(f"  {service}: {kind}: {outcome} x{count}")
    for service in targets:
        for kind in ("one 100 KB header", "2,000 headers"):
            seen = {outcome for (svc, k, outcome) in outcomes if (svc, k) == (service, kind)}
            assert seen, f"{service}: no request with {kind} completed during the attack"
            wrong = seen - {400, 431, "closed"}
            assert not wrong, f"{service}: a request with {kind} got {wrong}, not 431/400 or a closed connection"
    assert_normal_clients_served("oversized headers (8 clients per service)", baseline, prober)
