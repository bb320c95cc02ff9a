"""tagdesk settings DIR [--pipeline NAME] [--patterns FILE...] [--map MODEL=LABEL ...] [--overlap N]"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import settings
from ..errors import TagdeskError
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "settings",
        help="show or change the settings everyone on the project shares (suggester, label mapping, overlap)",
        description="Without options: print the project's shared settings. They live in its database, so a "
        "change here is seen by every desktop on the project. Changing the pipeline, the patterns or the "
        "mapping makes new suggestions (tagdesk suggest DIR).",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--pipeline", help='spaCy pipeline package or folder for suggestions ("" for none)')
    p.add_argument("--patterns", nargs="*", metavar="FILE", help="EntityRuler pattern files (JSONL); none: clear")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="MODEL=LABEL",
        help='map a model label to a project label, or to "drop" (repeatable), e.g. --map LOC=GPE',
    )
    p.add_argument("--overlap", type=int, help="how many annotators see each document (default 1)")
    p.add_argument(
        "--retrain-every",
        type=int,
        metavar="N",
        help="the window trains again after N more accepted documents and uses the new model if it scores no "
        "worse (0: never, the default)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_project(args.dir) as project:
        mapping = None
        if args.map:
            mapping = dict(project.config.model.label_map)
            for item in args.map:
                src, sep, dst = item.partition("=")
                if not sep:
                    raise TagdeskError(f"--map {item}: write it as MODEL=LABEL, e.g. --map LOC=GPE")
                mapping[src.strip()] = dst.strip()
        # every value is checked before any is stored: one bad option changes nothing
        settings.change_settings(
            project,
            pipeline=args.pipeline,
            patterns=args.patterns,
            label_map=mapping,
            overlap=args.overlap,
            retrain_every=args.retrain_every,
        )
        model = project.config.model
        print(f"pipeline  {model.pipeline or '(none)'}")
        print(f"patterns  {', '.join(model.patterns) or '(none)'}")
        print(f"overlap   {project.config.overlap}")
        every = model.retrain_every
        print(f"retrain   {f'every {every} accepted documents' if every else 'never'}")
        print("label_map " + (", ".join(f"{k}={v}" for k, v in sorted(model.label_map.items())) or "(identity)"))
    return 0
