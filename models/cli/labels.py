"""tagdesk labels DIR [add NAME | rename OLD NEW | color NAME #RRGGBB | key NAME K | move NAME POSITION |
remove NAME [--with-spans]]"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..labels import add_label, describe_usage, label_usage, move_label, recolor_label, rekey_label, remove_label
from ..labels import rename_label as rename
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "labels",
        help="list, add, rename, recolour, rekey, reorder or remove the project's labels",
        description="The project's labels live in its database, shared by everyone on it; the window's "
        "Labels menu does the same. Renaming a label renames every entity carrying it; removing one that "
        "entities carry is refused unless --with-spans says they go too.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    a = acts.add_parser("add", help="add a label (next free colour and key unless given)")
    a.add_argument("name")
    a.add_argument("--color", help='colour like "#4e79a7"')
    a.add_argument("--key", help='shortcut key (one character; "" for none)')
    r = acts.add_parser("rename", help="rename a label and every entity carrying it")
    r.add_argument("name")
    r.add_argument("new_name", metavar="NEW")
    c = acts.add_parser("color", help="give a label another colour")
    c.add_argument("name")
    c.add_argument("color", metavar="COLOR", help='like "#4e79a7"')
    k = acts.add_parser("key", help='give a label another shortcut key ("" for none)')
    k.add_argument("name")
    k.add_argument("key", metavar="KEY")
    m = acts.add_parser("move", help="put a label at a place in the label bar (1 = first)")
    m.add_argument("name")
    m.add_argument("position", type=int, metavar="POSITION")
    d = acts.add_parser("remove", help="remove a label")
    d.add_argument("name")
    d.add_argument("--with-spans", action="store_true", help="also remove the entities carrying it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_project(args.dir) as project:
        action = args.action
        if action == "add":
            lab = add_label(project, args.name, color=args.color, key=args.key)
            print(f"Added {lab.name} (colour {lab.color}, key {lab.key or 'none'})")
        elif action == "rename":
            n = rename(project, args.name, args.new_name)
            print(f"Renamed {args.name} to {args.new_name}; {n} entit{'y' if n == 1 else 'ies'} renamed")
        elif action == "color":
            lab = recolor_label(project, args.name, args.color)
            print(f"{lab.name} is now {lab.color}")
        elif action == "key":
            lab = rekey_label(project, args.name, args.key)
            print(f"{lab.name} now has key {lab.key or 'none'}")
        elif action == "move":
            order = move_label(project, args.name, args.position - 1)
            print("Order: " + ", ".join(order))
        elif action == "remove":
            usage = label_usage(project, args.name)
            n = remove_label(project, args.name, with_spans=args.with_spans)
            print(f"Removed {args.name}" + (f" and {describe_usage(usage)}" if n else ""))
        for lab in project.config.labels:
            usage = label_usage(project, lab.name)
            print(f"  {lab.key or '-':>2}  {lab.color}  {lab.name}  ({describe_usage(usage)})")
    return 0
