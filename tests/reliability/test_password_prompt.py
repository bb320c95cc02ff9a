"""A server that asks for a password libpq finds nowhere (no password file entry, no service file, no
PGPASSWORD): the command asks on its terminal, without echo, and the window asks with a dialog; what is typed is
used for that run only and written nowhere. Against the test server's password login, with a real `tagdesk`
process on a pseudo-terminal (the window's dialog: tests/desktop/test_password_dialog.py)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from models.config import CONFIG_NAME
from tests.pgserver import PASSWORD_LOGIN, SECRET

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _controlling_terminal() -> None:
    """In the child (a new session, stdin the pty's far end): make the pty its controlling terminal, as a
    terminal emulator does, so that /dev/tty is it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """`tagdesk ARGS` running on a pseudo-terminal: what it printed so far, and typing into it."""

    def __init__(self, *args: str) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            start_new_session=True,
            preexec_fn=_controlling_terminal,
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 60.0, times: int = 1) -> None:
        """Until `text` was printed `times` times (getpass prints its prompt once echo is off: type after it)."""
        deadline = time.monotonic() + timeout
        while self.seen.count(text.encode()) < times:
            assert time.monotonic() < deadline, f"never printed {text!r}; printed: {self.seen.decode(errors='replace')}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    assert text.encode() in self.seen, self.seen.decode(errors="replace")

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def finish(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None or select.select([self.master], [], [], 0)[0]:
            assert time.monotonic() < deadline, self.seen.decode(errors="replace")
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk
        os.close(self.master)
        return self.proc.wait(timeout=timeout)


def test_the_command_asks_on_its_terminal_without_echo_and_again_after_a_wrong_password(password_project):
    term = Terminal("stats", str(password_project))
    term.wait_for(f"Password for {PASSWORD_LOGIN} on database")
    term.type("not-it")
    term.wait_for("the server refused that password; type it again")
    term.wait_for("Password for", timeout=30, times=2)
    term.type(SECRET)
    code = term.finish()
    out = term.seen.decode(errors="replace")
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # rich colours a terminal's output
    assert "team: 0 documents" in plain and f"({PASSWORD_LOGIN})" in plain  # it ran as the login
    assert SECRET not in out and "not-it" not in out  # nothing typed was echoed
    assert SECRET not in (password_project / CONFIG_NAME).read_text()


def test_ctrl_d_at_the_prompt_gives_up_with_where_to_put_the_password(password_project):
    term = Terminal("stats", str(password_project))
    term.wait_for("Password for")
    os.write(term.master, b"\x04")
    code = term.finish()
    out = term.seen.decode(errors="replace")
    assert code == 1 and "the server wants a password and none was found" in out and ".pgpass" in out
    assert "Traceback" not in out


def test_a_script_without_a_terminal_is_not_asked(password_project):
    """Standard input a pipe (cron, CI): no prompt that could hang; the message says where a password goes."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "stats", str(password_project)],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1 and "none was found" in done.stderr and "Password for" not in done.stderr
