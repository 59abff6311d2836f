"""The test network itself: PostgreSQL in one host, an HTTP server in another, reachable from a
third across the bridge; a cut link makes the HTTP server unreachable and a restored one reachable
again; closing leaves no namespace or link behind. Then the cluster fixture with what Flowline has
without workers (one server with its local executor). Runs everywhere: on loopback where
namespaces are unavailable, minus the link cut, and before `flowline worker` exists."""
import socket
import subprocess
import sys

import pytest

from netns import Network, wait_for
from postgres import Postgres

PROBE = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1).read(); print('ok')"


def reachable(host, url):
    answer = host.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, timeout=10)
    return answer.returncode == 0 and answer.stdout.strip() == "ok"


def test_hosts_reach_each_other_and_a_cut_link_cuts_them_off(tmp_path):
    network = Network.create(["db", "web", "client"])
    print(f"\nnetwork: {'namespaces on ' + str(network.subnet) if network.namespaces else 'loopback (' + network.fallback_reason + ')'}")
    postgres = None
    try:
        db, web, client = network["db"], network["web"], network["client"]
        if network.namespaces:
            names = {host.run(["hostname"], capture_output=True, text=True).stdout.strip() for host in (db, web, client)}
            assert names == {"db", "web", "client"}
            assert len({host.address for host in (db, web, client)}) == 3
        postgres = Postgres(db, network)
        database = postgres.new_database()
        answer = client.run(["psql", database, "-qAt", "-c", "SELECT 40 + 2"], capture_output=True, text=True, timeout=20)
        assert answer.stdout.strip() == "42", answer.stderr

        port = web.port(8000)
        (tmp_path / "hello.txt").write_text("hello")
        web.popen([sys.executable, "-m", "http.server", "--bind", web.address, str(port)], cwd=tmp_path,
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://{web.address}:{port}/hello.txt"
        wait_for(lambda: reachable(client, url), 20, message=f"{url} from the client host")
        if not network.can_cut:
            pytest.skip(f"link cut not tested: {network.fallback_reason}")
        network.cut(web)
        assert not reachable(client, url), "the web host is still reachable with its link down"
        psql = client.run(["psql", database, "-qAt", "-c", "SELECT 1"], capture_output=True, text=True, timeout=20)
        assert psql.stdout.strip() == "1", "cutting one host cut another"
        network.restore(web)
        wait_for(lambda: reachable(client, url), 20, message=f"{url} after the link came back")
    finally:
        if postgres:
            postgres.stop()
        network.close()
    assert network.leftovers() == []


def test_loopback_fallback_runs_the_same_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWLINE_TEST_NO_NETNS", "1")
    network = Network.create(["web", "client"])
    try:
        assert not network.namespaces and not network.can_cut
        assert network.fallback_reason == "FLOWLINE_TEST_NO_NETNS is set"
        web, client = network["web"], network["client"]
        port = web.port(8000)
        (tmp_path / "hello.txt").write_text("hello")
        process = web.popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: reachable(client, f"http://127.0.0.1:{port}/hello.txt"), 20, message="the loopback web server")
    finally:
        network.close()
    assert process.poll() is not None


def test_a_server_in_its_host_runs_a_dag_on_the_postgres_of_another(cluster):
    """The cluster fixture with what Flowline has before workers: one `flowline server` (its local
    executor) in host `server1` on the PostgreSQL of host `pg`, driven through the REST API from
    outside; the task records the host it ran on."""
    cluster.start_server("server1", workers=False)
    marker = cluster.markers / "hello.log"
    cluster.write_dag("harness_hello", "\n".join([
        "dag_id: harness_hello", "schedule: null", "start_date: 2026-01-01", "paused: false", "tasks:",
        "  - id: hello", "    operator: bash", f"    command: 'echo \"$FLOWLINE_TASK_ID $(hostname)\" >> {marker}'",
    ]) + "\n")
    run = cluster.trigger("harness_hello")
    assert cluster.wait_run("harness_hello", run, timeout=60) == "success"
    expected = "server1" if cluster.network.namespaces else socket.gethostname()
    assert marker.read_text().split() == ["hello", expected]
    # On PostgreSQL a server records itself as host:port (several servers may share a host).
    assert cluster.task_instance("harness_hello", run, "hello")["hostname"].split(":")[0] == expected
