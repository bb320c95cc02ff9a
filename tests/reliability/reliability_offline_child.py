"""Run `tagdesk` commands with the network blocked, for the no-network test.

    python reliability_offline_child.py STEPS_JSON

Any attempt to resolve a host name or connect an IP socket raises and is reported on stderr as
"NETWORK ATTEMPT: ..." (the test also runs this in a network namespace with no interfaces when it can).
Prints one JSON line per step: {"argv": [...], "code": exit code}.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import sys


def _blocked(what: str):
    def refuse(*args, **kwargs):
        print(f"NETWORK ATTEMPT: {what}{args[:2]!r}", file=sys.stderr, flush=True)
        raise OSError(f"network blocked by the no-network test ({what})")

    return refuse


def block_network() -> None:
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            return _blocked("connect")(address)
        return real_connect(sock, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        setattr(socket, name, _blocked(name))


def main() -> int:
    block_network()
    from desktop.cli import main as tagdesk

    for argv in json.loads(sys.argv[1]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = tagdesk(argv)
        print(json.dumps({"argv": argv, "code": code, "stdout": out.getvalue()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
