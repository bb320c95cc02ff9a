"""tagdesk stats DIR [--json]"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..metrics.report import agreement_over_time
from ..project import open_project
from ..store import stats


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "stats",
        help="documents by status, spans by label, annotators",
        description="Print a project's counts: documents by status (for the configured annotator), "
        "spans by label and origin, and each annotator's decisions.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_project(args.dir) as project, project.session() as session:
        data = stats(session=session, annotator=project.annotator)
        data["agreement_by_week"] = agreement_over_time(session=session)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    console = Console()
    console.print(
        f"[bold]{project.config.project.name}[/]: {data['documents']} documents, "
        f"{data['documents_with_suggestions']} with suggestions, {data['spans']} spans"
    )
    t = Table(title=f"Documents by status ({data['annotator']})", title_justify="left")
    t.add_column("status")
    t.add_column("documents", justify="right")
    for status, n in data["statuses"].items():
        t.add_row(status, str(n))
    console.print(t)
    if data["spans_by_label"]:
        t = Table(title="Spans by label", title_justify="left")
        t.add_column("label")
        t.add_column("spans", justify="right")
        for label, n in data["spans_by_label"].items():
            t.add_row(label, str(n))
        console.print(t)
    if data["annotators"]:
        t = Table(title="Annotators", title_justify="left")
        cols = ("annotator", "accepted", "rejected", "ignored", "spans", "hours", "s/doc", "docs/h", "labels used")
        for col in cols:
            t.add_column(col, justify="left" if col in ("annotator", "labels used") else "right")
        for a in data["annotators"]:
            s = a["statuses"]
            t.add_row(
                a["name"],
                str(s["accepted"]),
                str(s["rejected"]),
                str(s["ignored"]),
                str(a["spans"]),
                f"{a['seconds_spent'] / 3600:.1f}",
                _number(a["seconds_per_document"]),
                _number(a["documents_per_hour"]),
                ", ".join(f"{label} {n}" for label, n in a["spans_by_label"].items()),
            )
        console.print(t)
    if data["reviewed"]:
        n = data["reviewed"]
        console.print(f"Reviewed (gold): {n} document{'s' if n != 1 else ''}")
    weeks = data["agreement_by_week"]
    if weeks:
        names = sorted({name for w in weeks for name in w["f1"]})
        t = Table(title="Agreement by week (span F1, exact, against the others)", title_justify="left")
        t.add_column("week")
        t.add_column("documents", justify="right")
        for name in names:
            t.add_column(name, justify="right")
        for w in weeks:
            f1 = [w["f1"].get(name) for name in names]
            t.add_row(w["week"], str(w["documents"]), *("-" if v is None else f"{v:.2f}" for v in f1))
        console.print(t)
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
