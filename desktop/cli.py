"""The `tagdesk` console script: the headless commands of `models.cli` plus `open` (the GUI)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.cli import run


def _add_open(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "open",
        help="open a project in the annotation window",
        description="Open the annotation window on a project folder.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--review",
        action="store_true",
        help="review mode: settle where annotators differ into each document's gold annotation",
    )
    p.set_defaults(func=_open)


def _open(args: argparse.Namespace) -> int:
    from .app import run_app  # Qt is imported only here

    return run_app(args.dir, review=args.review)


def main(argv: list[str] | None = None) -> int:
    return run(argv, extra=[_add_open])


if __name__ == "__main__":
    sys.exit(main())
