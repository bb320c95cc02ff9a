"""The `tagdesk` command's headless subcommands. One module per subcommand, each with `add(subparsers)`.

`desktop.cli` adds the GUI's `open` and is the console script; everything here runs without a display.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..db.password import asking, terminal_prompt
from ..errors import TagdeskError


def positive(value: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


# Subcommand modules, in the order `tagdesk --help` lists them.
COMMANDS = [
    "new",
    "import_",
    "suggest",
    "export",
    "train",
    "models",
    "queue",
    "stats",
    "check",
    "agreement",
    "team",
    "backup",
    "copy",
    "upgrade",
    "labels",
    "settings",
    "whoami",
]


def build_parser(
    extra: Sequence[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = (),
    argv: Sequence[str] | None = None,
) -> argparse.ArgumentParser:
    """The parser of every command; given the command line `argv`, of the one command it names only, when it
    names one (each command's module imports what it needs to run: `tagdesk import` need not load numpy for
    `tagdesk agreement`)."""
    parser = argparse.ArgumentParser(
        prog="tagdesk",
        description="Tagdesk: annotate entities in text with a model in the loop; every decision stored at once; "
        "export training data.",
        epilog="Run 'tagdesk COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"tagdesk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in extra:
        add(sub)
    for name in _modules(argv):
        importlib.import_module(f"{__name__}.{name}").add(sub)
    return parser


def _modules(argv: Sequence[str] | None) -> list[str]:
    """The command modules to load for `argv`: the named command's, or all (for --help, a typo, no command)."""
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    module = "import_" if named == "import" else named
    return [module] if module in COMMANDS else COMMANDS


def run(
    argv: Sequence[str] | None = None,
    extra: Sequence[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = (),
) -> int:
    """Parse and run. User errors print one line and return 1; `--debug` re-raises them."""
    from ..project import notice_listeners

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(extra, argv)
    args = parser.parse_args(argv)
    notice_listeners.append(_print_notice)
    try:
        with asking(terminal_prompt):  # a server's password, asked on the terminal when nothing else has it
            return args.func(args) or 0
    except TagdeskError as exc:
        if args.debug:
            raise
        print(f"tagdesk: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("tagdesk: interrupted; what was finished is kept", file=sys.stderr)
        return 130
    finally:
        notice_listeners.remove(_print_notice)


def _print_notice(text: str) -> None:
    print(f"tagdesk: note: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv)
