"""tagdesk agreement DIR [--json] [--annotators A,B]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ..metrics.agreement import SpanCounts
from ..metrics.report import AgreementReport, project_agreement
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "agreement",
        help="how far annotators agree on the documents two or more of them accepted",
        description="Measure inter-annotator agreement on the documents that two or more annotators accepted: "
        "span F1 per annotator pair and per label (exact: same start, end and label; overlap: same label, at "
        "least one character in common), Cohen's kappa per pair over tokens, and Krippendorff's alpha over all "
        "annotators.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    p.add_argument(
        "--annotators",
        type=lambda v: [n.strip() for n in v.split(",") if n.strip()],
        metavar="A,B",
        help="compare only these annotators (default: all)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    show = not args.json and sys.stderr.isatty()
    with open_project(args.dir) as project:
        with Progress(
            TextColumn("measuring agreement"), BarColumn(), MofNCompleteColumn(), disable=not show, transient=True
        ) as progress:
            task = progress.add_task("", total=None)
            report = project_agreement(
                project,
                annotators=args.annotators,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return 0
    _print(report, project.config.project.name)
    return 0


def _f1(counts: SpanCounts) -> str:
    return "-" if counts.f1 is None else f"{counts.f1:.3f}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _print(report: AgreementReport, name: str) -> None:
    console = Console()
    a, overlap = report.agreement, report.overlap
    if a.documents == 0:
        console.print(
            f"[bold]{name}[/]: no document was accepted by two or more annotators yet, so there is no agreement "
            f"to measure ({overlap.single} accepted by one). Give documents to several annotators "
            "(overlap in the project's shared settings) or import each annotator's file with --annotator NAME."
        )
        return
    console.print(
        f"[bold]{name}[/]: {a.documents} document{'s' if a.documents != 1 else ''} accepted by two or more of "
        f"{len(a.annotators)} annotators ({', '.join(a.annotators)}), {a.tokens} tokens; "
        f"{a.documents_differing} with differences to review"
    )
    console.print(
        f"Krippendorff's alpha (tokens, all annotators): [bold]{_num(a.alpha)}[/]   "
        f"span F1 exact {_f1(a.total('exact'))}, overlap {_f1(a.total('overlap'))}"
    )
    t = Table(title="Annotator pairs", title_justify="left")
    for col in ("pair", "documents", "differ", "F1 exact", "F1 overlap", "kappa (tokens)"):
        t.add_column(col, justify="left" if col == "pair" else "right")
    for pair in a.pairs:
        t.add_row(
            " / ".join(pair.annotators),
            str(pair.documents),
            str(pair.documents_differing),
            _f1(pair.total("exact")),
            _f1(pair.total("overlap")),
            _num(pair.kappa),
        )
    console.print(t)
    exact, over = a.by_label("exact"), a.by_label("overlap")
    t = Table(title="Labels (all pairs)", title_justify="left")
    for col in ("label", "spans", "F1 exact", "F1 overlap"):
        t.add_column(col, justify="left" if col == "label" else "right")
    for label, counts in exact.items():
        t.add_row(label, str(counts.a + counts.b), _f1(counts), _f1(over[label]))
    console.print(t)
    if overlap.single:
        console.print(f"Not compared: {overlap.single} documents accepted by only one annotator.")
    if overlap.status_differs:
        console.print(
            f"{overlap.status_differs} documents have different statuses from different annotators (one accepted, "
            "another rejected or ignored): only those who accepted are compared there."
        )
    console.print("Per-label figures for each pair: --json.", style="dim")
