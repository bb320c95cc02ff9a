"""tagdesk check DIR"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..check import check_project
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="check the database and that its event log rebuilds every annotation",
        description="Run the database's integrity check, then replay the event log from empty and compare "
        "spans, status, version, dismissals and seconds spent with what is stored. Prints 'ok' with counts "
        "(exit 0), or the first difference by document (exit 1). Changes nothing.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with (
        open_project(args.dir) as project,
        Progress(
            TextColumn("replaying the event log"),
            BarColumn(),
            MofNCompleteColumn(),
            disable=not sys.stderr.isatty(),
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("check", total=None)
        report = check_project(
            project, on_progress=lambda done, total: progress.update(task, completed=done, total=total)
        )
    print(report.summary())
    return 0 if report.ok else 1
