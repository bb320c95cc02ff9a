"""tagdesk models DIR [--use NNN] [--json]: the trained pipelines with their scores; which one suggests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "models",
        help="list the trained pipelines with their scores; --use NNN makes one the suggester",
        description="List DIR/pipelines/NNN (from tagdesk train) with when, from what, on how many documents, "
        "and their F on their evaluation set. The one marked * makes the project's suggestions.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--use", type=int, metavar="NNN", help="make pipeline NNN the project's suggester")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..train import current_version, get_version, list_versions, use_version

    with open_project(args.dir) as project:
        if args.use is not None:
            version = get_version(project, args.use)
            use_version(project, version)
            print(
                f"{args.dir}: suggestions now come from {version.pipeline_setting} (F {version.f or 0:.2f}); "
                f"documents not yet decided get new ones with: tagdesk suggest {args.dir}"
            )
            return 0
        versions = list_versions(project)
        current = current_version(project)
        if args.json:
            print(
                json.dumps(
                    [{**v.meta, "path": str(v.path), "current": v == current} for v in versions],
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return 0
        if not versions:
            print(f"{args.dir}: no trained pipelines yet; train one with: tagdesk train {args.dir}")
            return 0
        print(f"  {'':1} {'NNN':<4} {'created':<20} {'from':<9} {'docs':>5} {'eval':>5} {'F':>5}  eval set")
        for v in versions:
            docs = v.meta.get("documents", {})
            ev = v.meta.get("eval", {})
            print(
                f"  {'*' if v == current else ' '} {v.name:<4} {str(v.meta.get('created', '?'))[:19]:<20} "
                f"{v.meta.get('from', '?'):<9} {docs.get('train', 0):>5} {docs.get('eval', 0):>5} "
                f"{v.f if v.f is not None else 0:5.2f}  {ev.get('hash', '?')}"
            )
        if current is None:
            print(f"  suggestions come from {project.config.model.pipeline or 'patterns only'} (not a trained one)")
    return 0
