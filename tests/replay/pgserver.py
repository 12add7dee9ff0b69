"""A real PostgreSQL server for the replay tests: Debian's initdb and pg_ctl, a cluster in a
temporary directory, listening on 127.0.0.1 at a free port (and a socket in the directory).

As root (CI), the cluster is made and run by the `postgres` user that Debian's package creates:
PostgreSQL refuses to run as root. Clients connect as the role `bcp` with a password, which
they take from a PGPASSFILE: the way bcp-replay(1) tells users to give it."""
import glob, os, shutil, socket, subprocess, tempfile, time

PASSWORD = "replay-test-secret"


def _bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql-15)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.bin = _bindir()
        self.dir = tempfile.mkdtemp(prefix="bcp-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o755)
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._pg("initdb", "-D", self.data, "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "--pwfile", pwfile, "-E", "UTF8", "--no-sync")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            # Durable commits as in production (fsync on); the cluster is small and quick.
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\nmax_connections = 100\n"
                    "shared_buffers = 64MB\n")
        self.start()
        self._psql("CREATE ROLE bcp LOGIN PASSWORD '%s'" % PASSWORD)
        self._psql("CREATE DATABASE bcp OWNER bcp")
        self.passfile = os.path.join(self.dir, "pgpass")
        with open(self.passfile, "w") as f:
            f.write(f"127.0.0.1:{self.port}:*:bcp:{PASSWORD}\n")
        os.chmod(self.passfile, 0o600)
        self.url = f"postgresql://bcp@127.0.0.1:{self.port}/bcp"

    def _pg(self, tool, *args, check=True):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def _psql(self, sql, db="postgres"):
        return self._pg("psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
                        "-d", db, "-v", "ON_ERROR_STOP=1", "-qAtc", sql)

    def sql(self, sql):
        """Runs SQL in the queue's database as the superuser; returns the rows as text."""
        return self._psql(sql, db="bcp").stdout

    def env(self, extra=None):
        e = dict(os.environ)
        e["PGPASSFILE"] = self.passfile
        e.pop("PGPASSWORD", None)
        if extra:
            e.update(extra)
        return e

    def start(self):
        self._pg("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "start")

    def restart(self):
        self._pg("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-m", "fast", "-w",
                 "restart")

    def stop(self):
        self._pg("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def reset(self):
        """An empty queue database for the next scenario."""
        self._psql("DROP DATABASE IF EXISTS bcp WITH (FORCE)")
        self._psql("CREATE DATABASE bcp OWNER bcp")
