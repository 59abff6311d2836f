"""A private PostgreSQL cluster in one host of the test network (the equivalent of
scripts/postgres.sh, listening on the host's address with pg_hba open to the test subnet).

initdb and the server run as the `postgres` user when the tests run as root (PostgreSQL refuses
root), else as the current user. The cluster lives in a temporary folder that `stop()` deletes."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin():
    """The folder of Debian's PostgreSQL binaries (the newest), or where `initdb` is on PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    if candidates:
        return candidates[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError("PostgreSQL is needed for the distributed tests: apt-get install postgresql")


class Postgres:
    def __init__(self, host, network):
        self.host = host
        self.folder = Path(tempfile.mkdtemp(prefix="flowline-dist-pg-"))
        os.chmod(self.folder, 0o755)
        data = self.folder / "data"
        data.mkdir()
        as_root = os.geteuid() == 0
        user = "postgres" if as_root else pwd.getpwuid(os.geteuid()).pw_name
        if as_root:
            shutil.chown(data, user="postgres")
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        binaries = pg_bin()
        subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "flowline", "-A", "trust"],
                       check=True, capture_output=True)
        if network.subnet is not None:
            with open(data / "pg_hba.conf", "a") as hba:
                hba.write(f"host all all {network.subnet} trust\n")
        self.port = host.port(5432)
        self.process = host.popen(
            [*prefix, str(binaries / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(data),
             "-c", f"listen_addresses={host.address}", "-c", "max_connections=300", "-c", "fsync=on"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "w"),
        )
        self.url = f"postgresql://flowline@{host.address}:{self.port}/postgres"
        deadline = time.monotonic() + 30
        while subprocess.run(["pg_isready" if shutil.which("pg_isready") else str(binaries / "pg_isready"), "-q", "-h", host.address, "-p", str(self.port)]).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {(self.folder / 'server.log').read_text()}")
            time.sleep(0.1)

    def psql(self, sql, database="postgres"):
        url = self.url.rsplit("/", 1)[0] + "/" + database
        return subprocess.run(["psql", url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True).stdout

    def new_database(self):
        """A new, empty database on the cluster, as a URL."""
        name = "flowline_" + os.urandom(6).hex()
        self.psql(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
