"""tagdesk import DIR FILE... [--format NAME] [--annotator NAME] [--add-labels] [--by-line] [--text-column NAME]
[--text-key NAME]"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ..errors import TagdeskError
from ..formats import ImportReport, ReadOptions, all_formats, get_format, guess_format, import_file
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    formats = all_formats()
    readable = sorted(n for n, f in formats.items() if f.read)
    p = sub.add_parser(
        "import",
        help="add documents (and annotations) from files: " + ", ".join(readable),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Add documents to a project, with the annotations the file carries (origin "
            '"import", for the project\'s annotator). Each file is all-or-nothing: a bad '
            "line rejects the file with file:line: reason and stores nothing from it. Texts "
            "already in the project are skipped (a document is identified by a hash of its "
            "text). What Tagdesk cannot hold (relations, discontinuous or overlapping spans, "
            "brat events) is skipped and counted; a document that lost spans is left pending.",
            100,
        ),
        epilog="formats:\n" + "\n".join(f"  {n:12} {formats[n].description}" for n in readable),
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "files", type=Path, nargs="+", metavar="FILE", help="files to import (brat: a folder of .txt/.ann pairs)"
    )
    p.add_argument("--format", choices=readable, help="the files' format (default: guessed from each file)")
    p.add_argument(
        "--annotator",
        metavar="NAME",
        help="store the files' annotations as NAME's where a file does not name their annotator "
        "(default: the project's annotator)",
    )
    p.add_argument(
        "--add-labels",
        action="store_true",
        help="add labels the files use but the project lacks to the project (default: refuse the file)",
    )
    p.add_argument("--by-line", action="store_true", help="text: one document per line instead of per file")
    p.add_argument("--text-column", default="text", help="csv: the column holding the text (default: text)")
    p.add_argument(
        "--text-key", default="text", help="jsonl/doccano/labelstudio: the key holding the text (default: text)"
    )
    p.add_argument(
        "--offsets",
        choices=("codepoints", "utf16", "graphemes"),
        help="doccano/labelstudio: what span offsets count: code points (Python), UTF-16 units (JavaScript; "
        "doccano's default, older Label Studio), or grapheme clusters (doccano's option). Default: detected "
        "from the file (code points when several fit); the summary says which was used",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar; print only problems")
    p.set_defaults(func=run)


def _lines(lines: Sequence[int | None], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in lines[:limit] if n is not None)
    more = ", ..." if len(lines) > limit else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}" if shown else ""


def summary(report: ImportReport, default: str) -> str:
    """The one-line report of an import (the window shows the same); `default` is the annotator the import
    stored unnamed annotations as (named only when the file's annotators differ from it)."""
    text = f"{report.path}: {report.added} new document{'s' if report.added != 1 else ''}"
    repeats = {line for line, _first in report.repeated}
    already = [n for n in report.duplicate_lines if n not in repeats]
    if len(already) or report.duplicates - len(report.repeated) > 0:
        where = _lines(already)
        text += f"; {report.duplicates - len(report.repeated)} already in the project" + (
            f" ({where})" if where else ""
        )
    if report.not_attached:
        why = report.not_attached[0][1]
        where = _lines([n for n, _why in report.not_attached])
        text += f"; {len(report.not_attached)} annotation{'s' if len(report.not_attached) != 1 else ''} not imported"
        text += f" ({where}: {why})" if where else f" ({why})"
    if report.repeated:
        pairs = ", ".join(f"line {n} repeats line {first}" for n, first in report.repeated[:5])
        more = ", ..." if len(report.repeated) > 5 else ""
        text += f"; {len(report.repeated)} repeated within the file, stored once ({pairs}{more})"
    if report.annotated - report.joined:
        text += f"; {report.annotated - report.joined} with annotations ({report.format})"
    if report.joined:
        text += (
            f"; {report.joined} annotation{'s' if report.joined != 1 else ''} added to documents already in the project"
        )
    if report.annotated and report.annotators != [default]:
        shown = ", ".join(report.annotators[:5]) + (", ..." if len(report.annotators) > 5 else "")
        text += f"; annotators: {shown}"
    if report.skipped:
        text += "; left out: " + ", ".join(f"{n} {what}" for what, n in sorted(report.skipped.items()))
    if report.offsets:
        text += f"; offsets: {report.offsets}"
    if report.new_labels:
        text += f"; labels added to the project: {', '.join(report.new_labels)}"
    return text


def run(args: argparse.Namespace) -> int:
    failures = 0
    show = not args.quiet and sys.stderr.isatty()
    with open_project(args.dir) as project:
        for path in args.files:
            try:
                fmt = get_format(args.format) if args.format else guess_format(path)
                with Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    disable=not show,
                    transient=True,
                ) as progress:
                    task = progress.add_task(f"reading {path.name}", total=None)

                    def on_progress(done: int, total: int, task: TaskID = task) -> None:
                        progress.update(task, completed=done, total=total)

                    options = ReadOptions(
                        by_line=args.by_line,
                        text_column=args.text_column,
                        text_key=args.text_key,
                        offsets=args.offsets,
                        on_progress=on_progress,
                    )
                    report = import_file(
                        project, path, fmt, options, add_labels=args.add_labels, annotator=args.annotator
                    )
            except TagdeskError as exc:
                failures += 1
                print(f"tagdesk: error: {exc} (nothing from this file was stored)", file=sys.stderr)
                continue
            if not args.quiet or report.added or report.skipped:
                print(summary(report, args.annotator or project.annotator))
    return 1 if failures else 0
