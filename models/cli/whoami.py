"""tagdesk whoami [--set NAME] [DIR]"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import store
from ..project import DATABASE_LOGIN, open_project
from ..user_settings import resolve_annotator, set_annotator, settings_path


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "whoami",
        help="show or set your annotator name (in your own settings file, used by every project)",
        description="Your decisions are saved under this name. It is kept in your settings file "
        f"({settings_path()}), which the window's Preferences edit too.",
    )
    p.add_argument("--set", metavar="NAME", help="save NAME as your annotator name")
    p.add_argument(
        "dir",
        type=Path,
        metavar="DIR",
        nargs="?",
        help="a project: who you are there and your role in its team (on a server, your database login)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.set is not None:
        name = set_annotator(args.set)
        print(f"Your annotator name is now {name} (saved in {settings_path()})")
        return 0
    if args.dir is not None:
        with open_project(args.dir) as project, project.session() as s:
            role = store.role_of(project.annotator, session=s)
            team = bool(store.members(session=s))
        print(
            f"{project.annotator} (from your {project.annotator_source})"
            if project.annotator_source == DATABASE_LOGIN
            else f"{project.annotator} (from {project.annotator_source})"
        )
        print(
            f"role: {role}" if role else ("not in this project's team" if team else "no team: you may change anything")
        )
        for warning in project.warnings:
            print(f"note: {warning}")
        return 0
    name, source = resolve_annotator()
    print(f"{name} (from {source})")
    return 0
