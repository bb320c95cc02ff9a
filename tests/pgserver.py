"""A real PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary folder, no TCP.

`PgServer.start()` runs `initdb` into a fresh folder and starts `postgres` listening only on a Unix socket in that
same folder (`listen_addresses=''`), so a test that cuts the network still reaches it and nothing else on the
machine can. As root (CI), the server runs as the `postgres` user: PostgreSQL refuses to run as root.
Authentication is `trust` for the socket (the folder is private to the test run); durability settings are the
server's defaults except `fsync=off` (tests never pull the power; a stopped or killed server still recovers every
committed transaction from its WAL, which is what the tests check).

Each test gets its own database, copied from a template that already holds the current schema (CREATE DATABASE
... TEMPLATE is a file copy, much faster than running the migrations again).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_USER = "postgres"  # the OS user the server runs as when the tests run as root
LOGIN = "tagdesk"  # the superuser login the tests connect as
PASSWORD_LOGIN = "tagdesk_pw"  # a login that must give a password (scram-sha-256), for the credential tests


def find_binaries() -> Path | None:
    """The folder with `initdb` and `pg_ctl`: $TAGDESK_PG_BIN, else the newest Debian install, else PATH."""
    wanted = os.environ.get("TAGDESK_PG_BIN")
    if wanted:
        return Path(wanted) if (Path(wanted) / "initdb").exists() else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0] or 0)
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


class PgServer:
    """One PostgreSQL cluster for a test session: start, stop, restart, and databases on it."""

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable  # fsync on, as a real server runs (benchmarks); off for the tests
        self.root = Path(tempfile.mkdtemp(prefix="tagdesk-pg-"))  # short: a socket path has ~100 bytes at most
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.log = self.root / "server.log"
        self.running = False
        self._counter = 0
        self._as_other = os.geteuid() == 0
        if self._as_other:
            pw = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)

    # ------------------------------------------------------------------ the server process
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_other:
            cmd = ["setpriv", f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}", "--init-groups", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}")
        return done

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", LOGIN, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N")
        # one login that needs its password, as a team's server asks (the first matching line wins)
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {PASSWORD_LOGIN} scram-sha-256\n" + hba.read_text())

    def start(self) -> None:
        options = " ".join(
            [
                "-c listen_addresses=''",
                f"-c unix_socket_directories='{self.socket_dir}'",
                f"-c fsync={'on' if self.durable else 'off'}",
                "-c max_connections=200",
                "-c shared_buffers=64MB",
            ]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """`fast`: roll back open transactions, cut the clients, shut down cleanly. `immediate`: like a crash."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
            self.running = False

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ databases
    def url(self, database: str, *, driver: str = "postgresql+psycopg") -> str:
        """The SQLAlchemy URL of a database on this server, through its Unix socket (no password: trust)."""
        return f"{driver}://{LOGIN}@/{database}?host={self.socket_dir}"

    def dsn(self, database: str = "postgres") -> str:
        """The libpq connection string (for psycopg and the command-line tools)."""
        return f"host={self.socket_dir} user={LOGIN} dbname={database}"

    def sql(self, statement: str, *, database: str = "postgres") -> list[tuple]:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that); its rows, if any."""
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def new_name(self, prefix: str = "t") -> str:
        self._counter += 1
        return f"{prefix}{os.getpid()}_{self._counter}_{time.monotonic_ns() % 100000}"

    def create_database(self, name: str | None = None, *, template: str = "template0") -> str:
        name = name or self.new_name()
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return name

    def drop_database(self, name: str) -> None:
        if self.running:
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def mark_template(self, name: str) -> None:
        self.sql(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
