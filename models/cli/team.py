"""tagdesk team DIR [--reviewer NAME]... [--add NAME]... [--remove NAME]... [--json]"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .. import store
from ..project import open_project
from ..team import ANNOTATOR, REVIEWER


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "team",
        help="the project's people and their roles (annotator, reviewer)",
        description="List or change a project's team. Once a project has members, each person may change only "
        "their own annotations; reviewers also settle the gold annotation (tagdesk open DIR --review), import "
        "other people's annotations and change the team. The first member must be a reviewer. A project "
        "without members checks nothing.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--reviewer", action="append", default=[], metavar="NAME", help="add NAME as a reviewer")
    p.add_argument("--add", action="append", default=[], metavar="NAME", help="add NAME as an annotator")
    p.add_argument("--remove", action="append", default=[], metavar="NAME", help="remove NAME (their work stays)")
    p.add_argument("--json", action="store_true", help="print the team as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    changes = [(n, REVIEWER) for n in args.reviewer] + [(n, ANNOTATOR) for n in args.add]
    with open_project(args.dir) as project:
        if changes or args.remove:
            with project.writing() as session:
                for name, role in store.change_team(session=session, add=changes, remove=args.remove):
                    print(f"{name}: {role or 'removed (their annotations stay)'}")
        with project.session() as session:
            team = store.members(session=session)
        you = project.annotator
    if args.json:
        print(json.dumps({"members": team, "you": you}, indent=2, ensure_ascii=False))
        return 0
    if changes or args.remove:
        return 0
    console = Console()
    if not team:
        console.print(
            "No team: anyone who opens the project may change anything. Set one up with: "
            f"tagdesk team {args.dir} --reviewer {you} --add NAME"
        )
        return 0
    t = Table(title="Team", title_justify="left")
    t.add_column("name")
    t.add_column("role")
    for name, role in team.items():
        t.add_row(name + (" (you)" if name == you else ""), role)
    console.print(t)
    return 0
