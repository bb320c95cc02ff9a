"""tagdesk backup DIR [--out PATH]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from ..db.backup import backup_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup",
        help="write a consistent copy of the project's database (safe while it is open)",
        description="Copy the project's database into a single SQLite file: one consistent snapshot, even "
        "while Tagdesk is open and annotating in another window or on other desktops. A SQLite project is "
        "copied with SQLite's backup API; a PostgreSQL one with everything in it (event log included) into a "
        "new SQLite file that opens as tagdesk.sqlite of a project, or goes back with tagdesk copy.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="the copy to write, or a folder for it (default: DIR/backups/tagdesk-DATE-TIME.sqlite)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Progress(
        TextColumn("copying"), BarColumn(), TaskProgressColumn(), disable=not sys.stderr.isatty(), transient=True
    ) as progress:
        task = progress.add_task("backup", total=None)
        result = backup_project(
            args.dir, args.out, on_progress=lambda done, total: progress.update(task, completed=done, total=total)
        )
    docs = result.documents
    print(
        f"{result.path}: copy of {result.source} ({docs} document{'s' if docs != 1 else ''}, "
        f"schema {result.revision or 'unknown'})"
    )
    return 0
