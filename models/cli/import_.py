"""tagdesk import DIR FILE... [--format NAME] [--by-line] [--text-column NAME] [--text-key NAME]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import TagdeskError
from ..formats import ReadOptions, all_formats, get_format, guess_format
from ..project import open_project
from ..store import add_documents


def add(sub: argparse._SubParsersAction) -> None:
    readable = sorted(n for n, f in all_formats().items() if f.read)
    p = sub.add_parser("import", help="add documents from files (text, JSONL, CSV, ...)",
                       description="Add documents to a project. Each file is all-or-nothing: a bad line rejects the "
                                   "file with file:line: reason and stores nothing from it. Texts already in the "
                                   "project are skipped (a document is identified by a hash of its text).")
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="files to import")
    p.add_argument("--format", choices=readable, help="the files' format (default: guessed from the file name)")
    p.add_argument("--by-line", action="store_true", help="text: one document per line instead of per file")
    p.add_argument("--text-column", default="text", help="csv: the column holding the text (default: text)")
    p.add_argument("--text-key", default="text", help="jsonl: the key holding the text (default: text)")
    p.add_argument("--quiet", action="store_true", help="no progress bar; print only problems")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    failures = 0
    show = not args.quiet and sys.stderr.isatty()
    with open_project(args.dir) as project:
        for path in args.files:
            try:
                fmt = get_format(args.format) if args.format else guess_format(path)
                if fmt.read is None:
                    raise TagdeskError(f"format {fmt.name!r} can be exported but not imported")
                with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                              TimeRemainingColumn(), disable=not show, transient=True) as progress:
                    task = progress.add_task(f"reading {path.name}", total=None)
                    options = ReadOptions(by_line=args.by_line, text_column=args.text_column,
                                          text_key=args.text_key,
                                          on_progress=lambda done, total: progress.update(task, completed=done,
                                                                                          total=total))
                    docs = fmt.read(path, options)
                    store_task = progress.add_task(f"storing {path.name}", total=len(docs))
                    with project.writing() as session:
                        result = add_documents(docs, session=session, source=path.name,
                                               annotator=project.annotator,
                                               on_progress=lambda d, t: progress.update(store_task, completed=d))
            except TagdeskError as exc:
                failures += 1
                print(f"tagdesk: error: {exc} (nothing from this file was stored)", file=sys.stderr)
                continue
            if not args.quiet or result.added:
                skipped = ""
                if result.duplicates:
                    lines = ", ".join(map(str, result.duplicate_lines[:5]))
                    more = ", ..." if len(result.duplicate_lines) > 5 else ""
                    where = f" (line{'s' if len(result.duplicate_lines) > 1 else ''} {lines}{more})" if lines else ""
                    skipped = f"; {result.duplicates} skipped: text already in the project{where}"
                print(f"{path}: {result.added} new document{'s' if result.added != 1 else ''}{skipped}")
    return 1 if failures else 0
