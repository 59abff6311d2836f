"""Several hosts on one machine for the distributed tests: Linux network namespaces on a bridge.

`Network.create(["pg", "server1", …])` makes one namespace per host, each with its own loopback,
an address in a private /24 on a bridge (veth pairs) and its own host name (a UTS namespace), so a
worker in `worker2` reports `worker2`. The test process itself sits on the bridge too (the bridge
has the subnet's `.1`), so it reaches every host directly. `host.popen([...])` runs a process
inside a host, in a new session (`setsid`), so that it and its children can be killed as a group;
`network.cut(host)` / `network.restore(host)` take the host's link down and up.

Names carry a prefix with the test process's pid (`flt<pid>…`, at most 15 characters for links):
two sessions never share names, and a session starts by deleting what an earlier one left behind
whose pid is no longer alive. `close()` kills every process of every namespace and deletes the
namespaces, the links and the bridge, also after a failed test.

Where namespaces cannot be made (not root, no `ip`, no permission), `Network.create` returns a
loopback network instead: every host is 127.0.0.1, processes are plain processes, ports must be
free ones, and `cut` is unavailable (`network.can_cut` is False; tests skip what needs it and say
why: `network.fallback_reason`)."""
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PREFIX = "flt"


def _ip(*arguments, check=True):
    return subprocess.run(["ip", *arguments], capture_output=True, text=True, check=check)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, left to a container's init that never reaps, counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def pid_alive(pid: int) -> bool:
    return _alive(pid)


def remove_stale():
    """Deletes namespaces and links of earlier sessions (`flt<pid>…`) whose process is gone."""
    if shutil.which("ip") is None:
        return
    pattern = re.compile(rf"^{PREFIX}(\d+)")
    names = _ip("netns", "list", check=False).stdout.split()
    for name in names:
        match = pattern.match(name)
        if match and not _alive(int(match.group(1))):
            _kill_namespace(name)
            _ip("netns", "delete", name, check=False)
    for line in _ip("-o", "link", "show", check=False).stdout.splitlines():
        fields = line.split(": ")
        if len(fields) < 2:
            continue
        link = fields[1].split("@")[0]
        match = pattern.match(link)
        if match and not _alive(int(match.group(1))):
            _ip("link", "delete", link, check=False)


def _kill_namespace(name):
    """SIGKILL to every process in namespace `name`."""
    pids = _ip("netns", "pids", name, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _free_subnet():
    """A /24 in 10.231–10.254.x.0 that no address or route of this machine overlaps."""
    used = []
    for line in _ip("-o", "-4", "addr", "show", check=False).stdout.splitlines() + _ip("-4", "route", "show", "table", "all", check=False).stdout.splitlines():
        for word in line.split():
            try:
                used.append(ipaddress.ip_network(word, strict=False))
            except ValueError:
                pass
    start = os.getpid() % 250
    for offset in range(250 * 24):
        candidate = ipaddress.ip_network(f"10.{231 + (offset // 250) % 24}.{(start + offset) % 250 + 1}.0/24")
        if not any(candidate.overlaps(network) for network in used if network.prefixlen > 0):
            return candidate
    raise RuntimeError("no free private /24 for the test network")


class Host:
    """One host: a namespace (or, on loopback, just a name) with an address."""

    def __init__(self, network, name, namespace, address, host_link):
        self.network, self.name, self.namespace, self.address, self.host_link = network, name, namespace, address, host_link
        self.processes = []

    def command(self, arguments):
        """`arguments` as run inside this host: its namespace, its host name, a new session."""
        if self.namespace is None:
            return ["setsid", *arguments]
        return ["ip", "netns", "exec", self.namespace, "unshare", "--uts", "setsid", "sh", "-c", 'hostname "$0" && exec "$@"', self.name, *arguments]

    def popen(self, arguments, **options):
        """Starts `arguments` in this host; the process is the leader of its own process group."""
        process = subprocess.Popen(self.command(arguments), **options)
        self.processes.append(process)
        return process

    def run(self, arguments, **options):
        return subprocess.run(self.command(arguments), **options)

    def port(self, wanted: int) -> int:
        """A port to listen on: `wanted` in a namespace (the port space is the host's own), a free
        ephemeral one on loopback."""
        if self.namespace is not None:
            return wanted
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def kill_group(self, process, sig=signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass

    def kill_all(self):
        for process in self.processes:
            self.kill_group(process)
        if self.namespace is not None:
            _kill_namespace(self.namespace)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


class Network:
    def __init__(self, hosts, bridge, subnet, fallback_reason):
        self.hosts, self.bridge, self.subnet, self.fallback_reason = hosts, bridge, subnet, fallback_reason

    @property
    def namespaces(self) -> bool:
        return self.fallback_reason is None

    @property
    def can_cut(self) -> bool:
        return self.namespaces

    def __getitem__(self, name) -> Host:
        return self.hosts[name]

    @staticmethod
    def unavailable_reason():
        """Why namespaces cannot be used here, or None when they can."""
        if os.environ.get("FLOWLINE_TEST_NO_NETNS"):
            return "FLOWLINE_TEST_NO_NETNS is set"
        if os.geteuid() != 0:
            return "not root"
        for tool in ("ip", "unshare", "setsid"):
            if shutil.which(tool) is None:
                return f"no `{tool}` command"
        return None

    @classmethod
    def create(cls, names):
        """Namespaces for `names`, or a loopback network when they are unavailable."""
        reason = cls.unavailable_reason()
        if reason is None:
            remove_stale()
            try:
                return cls._namespaces(names)
            except (subprocess.CalledProcessError, RuntimeError) as error:
                detail = getattr(error, "stderr", "") or str(error)
                reason = f"creating a network namespace failed: {detail.strip()}"
                remove_stale_of(os.getpid())
        return cls({name: Host(None, name, None, "127.0.0.1", None) for name in names}, None, None, reason)

    @classmethod
    def _namespaces(cls, names):
        tag = f"{PREFIX}{os.getpid()}"
        # Unique per network in this process too (a session may make several).
        cls._count = getattr(cls, "_count", 0) + 1
        tag = f"{tag}{chr(ord('a') + (cls._count - 1) % 26)}"
        if len(tag) + 3 > 15:
            raise RuntimeError(f"process id too long for link names: {tag}")
        subnet = _free_subnet()
        addresses = list(subnet.hosts())
        bridge = f"{tag}br"
        network = cls({}, bridge, subnet, None)
        try:
            _ip("link", "add", bridge, "type", "bridge")
            # Bridged frames skip iptables (br_netfilter and a DROP policy of FORWARD would eat them).
            _ip("link", "set", bridge, "type", "bridge", "nf_call_iptables", "0", check=False)
            _ip("addr", "add", f"{addresses[0]}/{subnet.prefixlen}", "dev", bridge)
            _ip("link", "set", bridge, "up")
            for index, name in enumerate(names, start=1):
                namespace, host_link = f"{tag}-{name}", f"{tag}h{index}"
                address = str(addresses[index])
                _ip("netns", "add", namespace)
                network.hosts[name] = Host(network, name, namespace, address, host_link)
                _ip("link", "add", host_link, "type", "veth", "peer", "name", "eth0", "netns", namespace)
                _ip("link", "set", host_link, "master", bridge)
                _ip("link", "set", host_link, "up")
                _ip("-n", namespace, "addr", "add", f"{address}/{subnet.prefixlen}", "dev", "eth0")
                _ip("-n", namespace, "link", "set", "eth0", "up")
                _ip("-n", namespace, "link", "set", "lo", "up")
        except BaseException:
            network.close()
            raise
        return network

    def cut(self, host: Host):
        """Takes `host`'s link down: nothing reaches it and it reaches nothing (its processes run on)."""
        if not self.can_cut:
            raise RuntimeError(f"cannot cut a link without network namespaces ({self.fallback_reason})")
        _ip("link", "set", host.host_link, "down")

    def restore(self, host: Host):
        _ip("link", "set", host.host_link, "up")

    def close(self):
        """Kills every process of every host, deletes namespaces, links and the bridge."""
        for host in self.hosts.values():
            host.kill_all()
        if not self.namespaces:
            return
        for host in self.hosts.values():
            _ip("link", "delete", host.host_link, check=False)
            _ip("netns", "delete", host.namespace, check=False)
        if self.bridge:
            _ip("link", "delete", self.bridge, check=False)

    def leftovers(self):
        """Namespaces and links of this network still present (empty after `close`)."""
        if not self.namespaces:
            return []
        names = {host.namespace for host in self.hosts.values()} | {host.host_link for host in self.hosts.values()} | {self.bridge}
        present = set(_ip("netns", "list", check=False).stdout.split())
        for line in _ip("-o", "link", "show", check=False).stdout.splitlines():
            fields = line.split(": ")
            if len(fields) > 1:
                present.add(fields[1].split("@")[0])
        return sorted(names & present)


def remove_stale_of(pid):
    """Deletes namespaces and links of process `pid` (after a failed creation)."""
    pattern = re.compile(rf"^{PREFIX}{pid}[a-z]")
    for name in _ip("netns", "list", check=False).stdout.split():
        if pattern.match(name):
            _kill_namespace(name)
            _ip("netns", "delete", name, check=False)
    for line in _ip("-o", "link", "show", check=False).stdout.splitlines():
        fields = line.split(": ")
        if len(fields) > 1 and pattern.match(fields[1].split("@")[0]):
            _ip("link", "delete", fields[1].split("@")[0], check=False)


def wait_for(condition, timeout, interval=0.2, message="condition"):
    """Polls `condition()` until it returns something truthy; returns it, or raises after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)
