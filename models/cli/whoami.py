"""tagdesk whoami [--set NAME]"""

from __future__ import annotations

import argparse

from ..user_settings import resolve_annotator, set_annotator, settings_path


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "whoami",
        help="show or set your annotator name (in your own settings file, used by every project)",
        description="Your decisions are saved under this name. It is kept in your settings file "
        f"({settings_path()}), which the window's Preferences edit too.",
    )
    p.add_argument("--set", metavar="NAME", help="save NAME as your annotator name")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.set is not None:
        name = set_annotator(args.set)
        print(f"Your annotator name is now {name} (saved in {settings_path()})")
        return 0
    name, source = resolve_annotator()
    print(f"{name} (from {source})")
    return 0
