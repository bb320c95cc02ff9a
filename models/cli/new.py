"""tagdesk new DIR --labels A,B,C [--model NAME] [--annotator NAME]"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import DEFAULT_PIPELINE
from ..project import new_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new",
        help="create a project folder with its config and database",
        description="Create DIR with tagdesk.toml (the project's name and where its database is) and a "
        "database holding the labels (colours and keys in order), the spaCy pipeline and a label mapping. "
        "Change them later with tagdesk labels / tagdesk settings, or in the window.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder to create")
    p.add_argument("--labels", required=True, help="comma-separated labels, e.g. PERSON,ORG,GPE (keys 1-9, 0 in order)")
    p.add_argument(
        "--model",
        default=DEFAULT_PIPELINE,
        help=f"spaCy pipeline package or folder for suggestions (default: {DEFAULT_PIPELINE})",
    )
    p.add_argument(
        "--annotator",
        help="the project's default annotator name, written to tagdesk.toml, for whoever has not set their own "
        "(tagdesk whoami --set NAME); default: each person's own name, else their login name",
    )
    p.add_argument(
        "--database",
        metavar="URL",
        help="keep the database on a PostgreSQL server, e.g. postgresql+psycopg://db.example.org/team "
        "(no password in it: see the README's Team setup); default: tagdesk.sqlite in DIR",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    labels = [lab.strip() for lab in args.labels.split(",")]
    with new_project(
        args.dir, labels, pipeline=args.model, annotator=args.annotator, database_url=args.database
    ) as project:
        cfg = project.config
        keys = ", ".join(f"{lab.key}={lab.name}" if lab.key else lab.name for lab in cfg.labels)
        print(
            f"Created {project.config_path} ({len(cfg.labels)} labels: {keys}; "
            f"model {cfg.model.pipeline or 'none'}; you annotate as {project.annotator})"
        )
        print(f"Next: tagdesk import {args.dir} FILE...")
    return 0
