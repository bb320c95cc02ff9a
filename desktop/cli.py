"""The `tagdesk` console script: the headless commands of `models.cli` plus `open` (the window) and
`desktop-entry` (a launcher in the desktop's menu)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.cli import run


def _add_open(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "open",
        help="open a project in the annotation window (no DIR: the start screen)",
        description="Open the annotation window on a project folder; without one, the start screen (recent "
        "projects, open a folder, create a project).",
    )
    p.add_argument("dir", type=Path, metavar="DIR", nargs="?", help="the project folder")
    p.add_argument(
        "--review",
        action="store_true",
        help="review mode: settle where annotators differ into each document's gold annotation (needs DIR)",
    )
    p.set_defaults(func=_open)


def _open(args: argparse.Namespace) -> int:
    from .platform_check import display_problem

    problem = display_problem()
    if problem:
        print(f"tagdesk: error: {problem}", file=sys.stderr)
        return 1
    if args.review and args.dir is None:
        print("tagdesk: error: --review needs the project folder: tagdesk open DIR --review", file=sys.stderr)
        return 1
    from .app import run_app  # Qt is imported only here

    return run_app(args.dir, review=args.review)


def _add_desktop_entry(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "desktop-entry",
        help="put Tagdesk in your desktop's application menu (Linux)",
        description="Write a desktop entry and Tagdesk's icon to your XDG folders ($XDG_DATA_HOME, default "
        "~/.local/share), so Tagdesk starts from the application menu, on its start screen.",
    )
    p.add_argument("--remove", action="store_true", help="take the launcher away again")
    p.set_defaults(func=_desktop_entry)


def _desktop_entry(args: argparse.Namespace) -> int:
    from . import launcher

    if args.remove:
        gone = launcher.remove()
        print("Removed " + ", ".join(map(str, gone)) if gone else "No Tagdesk launcher was installed")
        return 0
    entry, icon = launcher.install()
    print(f"Installed {entry} (icon {icon}); Tagdesk is in your application menu (log in again if it is not yet)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(argv, extra=[_add_open, _add_desktop_entry])


if __name__ == "__main__":
    sys.exit(main())
