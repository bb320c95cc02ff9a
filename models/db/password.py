"""A password asked of the person when the server wants one and libpq's own means give none.

libpq (under psycopg) looks for a password by itself: the password file (`~/.pgpass`, or the file `PGPASSFILE`
names), a service file, `PGPASSWORD`. When none of them has one and the server asks, the connection fails with
"no password supplied": `log_in` then asks the person through a prompt (the command line's terminal prompt,
without echo; the window's password dialog) and gives what they typed to the engine, which uses it for every
connection it opens from then on (reconnecting after a server restart too). The password lives in the engine
only, in memory: it is never written to tagdesk.toml, the window's settings or anywhere else. A wrong password is
asked again (three tries); without a prompt (a script, a test) or when the person cancels, the server's refusal
is the error, with the advice where to put a password.

A prompt is `prompt(what, problem)`: `what` names the login and the database, `problem` is None the first time
and says what was wrong after a refused try; it returns the password, or None to give up. The command line sets
its prompt for the command being run (`asking`); the window passes its dialog to `open_project`.
"""

from __future__ import annotations

import getpass
import os
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

from .advice import as_user_error, short_reason
from .engine import is_shared, where

PasswordPrompt = Callable[[str, str | None], str | None]
ATTEMPTS = 3
NO_PASSWORD = "no password supplied"  # libpq: the server asked and no password was found
WRONG_PASSWORD = "password authentication failed"
WRONG = "the server refused that password; type it again"

_PROMPT: ContextVar[PasswordPrompt | None] = ContextVar("tagdesk_password_prompt", default=None)


@contextmanager
def asking(prompt: PasswordPrompt | None) -> Iterator[None]:
    """Within this block, `log_in` asks through `prompt` when it is given none of its own."""
    token = _PROMPT.set(prompt)
    try:
        yield
    finally:
        _PROMPT.reset(token)


class _Password:
    """The password typed for one engine, put into each new connection's parameters (`do_connect`)."""

    def __init__(self) -> None:
        self.value: str | None = None

    def __call__(self, _dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        if self.value is not None:
            cparams["password"] = self.value


_TYPED: weakref.WeakKeyDictionary[Engine, _Password] = weakref.WeakKeyDictionary()


def give_password(engine: Engine, password: str) -> None:
    """Use `password` for every connection `engine` opens from now on (in memory only)."""
    holder = _TYPED.get(engine)
    if holder is None:
        holder = _TYPED[engine] = _Password()
        event.listen(engine, "do_connect", holder)
    holder.value = password


def who(engine: Engine) -> str:
    """ "alice on database team on db.example.org": whose password, for which database."""
    login = engine.url.username or os.environ.get("PGUSER") or ""
    return f"{login} on {where(engine)}" if login else where(engine)


def log_in(engine: Engine, ask: PasswordPrompt | None = None) -> None:
    """Connect to a server once, asking for the password when the server wants one that libpq found nowhere
    (`ask`, else the prompt of the command being run; see the module's docstring). Nothing to do for SQLite.
    Raises `DatabaseError` (with the advice) when the login fails and nobody can be asked, or they cancel."""
    if not is_shared(engine):
        return
    ask = ask or _PROMPT.get()
    typed = False
    for attempt in range(ATTEMPTS + 1):
        try:
            with engine.connect():
                return
        except sa_exc.OperationalError as exc:
            reason = short_reason(exc).lower()
            wanted = NO_PASSWORD in reason or (typed and WRONG_PASSWORD in reason)
            if ask is None or not wanted or attempt == ATTEMPTS:
                raise as_user_error(exc, engine) from None
            password = ask(who(engine), WRONG if typed else None)
            if not password:
                raise as_user_error(exc, engine) from None
            give_password(engine, password)
            typed = True


def terminal_prompt(what: str, problem: str | None) -> str | None:
    """The command line's prompt: on a terminal only (a script's standard input is not asked), without echo.
    None when there is no terminal or the person pressed Ctrl-D."""
    if not sys.stdin.isatty():
        return None
    if problem:
        print(f"tagdesk: {problem}", file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            return getpass.getpass(f"Password for {what}: ", stream=sys.stderr) or None
    except EOFError:
        return None
