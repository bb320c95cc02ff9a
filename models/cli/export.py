"""tagdesk export DIR --format NAME [--out PATH] [--include rejected,ignored] [--annotator NAME]
[--align expand|contract] [--dev 0.2 --seed N]"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..formats import all_formats, export_project, get_format
from ..formats._export import STATUSES
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    formats = all_formats()
    writable = sorted(n for n, f in formats.items() if f.write)
    lines = []
    for n in writable:
        f = formats[n]
        gaps = f"; cannot carry: {', '.join(f.cannot_carry)}" if f.cannot_carry else ""
        lines.append(f"  {n:12} {f.description}{gaps}")
    p = sub.add_parser(
        "export",
        help="write annotated documents as training data: " + ", ".join(writable),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Write a project's annotated documents. By default only accepted documents, each "
            "as its reviewed gold annotation, else as what its annotators agree on (documents "
            "where they differ unreviewed are left out and counted; --annotator NAME writes one "
            "annotator's own); an accepted document is a complete annotation "
            "(tokens outside its spans are O). Token formats (spacy, jsonl, conll, iob, "
            "biluo) need every span on spaCy token boundaries: the export stops and lists "
            "the spans that are not, unless --align says how to move them. Tokens come from "
            "a blank spaCy pipeline of the project pipeline's language (the same tokenizer "
            "rules as the trained pipeline). Files appear only when the export succeeds.",
            100,
        ),
        epilog="formats:\n"
        + "\n".join(lines)
        + "\n\n"
        + textwrap.fill(
            "conll/iob/biluo rebuild each text on import by joining tokens with spaces; documents "
            "from formats without a status import as accepted. In spacy files only accepted "
            "documents mark the tokens outside their spans O; in others those are missing, never O. "
            "Documents imported with tokens (conll, iob, biluo, Prodigy jsonl, spacy) are written with "
            "those tokens, not re-tokenized. Prodigy records keep the hashes and top-level keys they came "
            "with; records Tagdesk made carry Tagdesk's own _input_hash/_task_hash (no formula tried "
            "reproduces Prodigy's). --dev puts each document on the side a hash of its text and --seed "
            "choose, so documents stay on their side as the project grows.",
            100,
        ),
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument("--format", required=True, choices=writable, help="the format to write")
    p.add_argument(
        "--out", type=Path, help="file to write (a folder for brat or with --dev; default: DIR/exports/FORMAT...)"
    )
    p.add_argument(
        "--include",
        default="",
        help=f"comma-separated statuses to export besides accepted ({', '.join(STATUSES[1:])}; "
        "pending includes documents nobody annotated yet)",
    )
    p.add_argument(
        "--annotator",
        help="export one annotator's own annotations (default: each document's reviewed gold annotation, else "
        "what its annotators agree on; documents where they differ unreviewed are left out and counted)",
    )
    p.add_argument(
        "--align",
        choices=("expand", "contract"),
        help="move spans that are not on token boundaries: grow to whole tokens, or shrink",
    )
    p.add_argument("--dev", type=float, help="fraction for a dev set: writes OUT/train.* and OUT/dev.*, e.g. 0.2")
    p.add_argument("--seed", type=int, default=0, help="random seed of the train/dev split (default: 0)")
    p.add_argument(
        "--suggestions",
        action="store_true",
        help="with --format jsonl: write the model's suggestions for the pending documents instead, each span "
        "with its score (like Prodigy's ner.teach data)",
    )
    p.add_argument(
        "--offsets",
        choices=("codepoints", "utf16", "graphemes"),
        default="codepoints",
        help="doccano/labelstudio: write span offsets as code points (default; current Label Studio), UTF-16 "
        "units (doccano's default, older Label Studio) or grapheme clusters (doccano's option)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _run_suggestions(args: argparse.Namespace) -> int:
    from ..errors import TagdeskError
    from ..formats._suggestions import export_pending_suggestions

    if args.format != "jsonl":
        raise TagdeskError(f"--suggestions writes JSONL tasks with scores; use --format jsonl (not {args.format})")
    with open_project(args.dir) as project:
        result = export_pending_suggestions(project, args.out, annotator=args.annotator)
    docs, spans = result.documents, result.spans
    print(
        f"{result.path}: {docs} pending document{'s' if docs != 1 else ''}, "
        f"{spans} suggested span{'s' if spans != 1 else ''} with scores"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.suggestions:
        return _run_suggestions(args)
    statuses = ["accepted"] + [s.strip() for s in args.include.split(",") if s.strip() and s.strip() != "accepted"]
    show = not args.quiet and sys.stderr.isatty()
    with open_project(args.dir) as project:
        fmt = get_format(args.format)
        with Progress(
            TextColumn("exporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=not show,
            transient=True,
        ) as progress:
            task = progress.add_task("export", total=None)
            result = export_project(
                project,
                fmt,
                args.out,
                statuses=statuses,
                annotator=args.annotator,
                align_mode=args.align,
                dev=args.dev,
                seed=args.seed,
                offsets=args.offsets,
                on_progress=lambda d, t: progress.update(task, completed=d, total=t),
            )
    where = ", ".join(str(f) for f in result.files)
    split = f" (train {result.split.get('train', 0)}, dev {result.split.get('dev', 0)})" if result.split else ""
    print(
        f"{where}: {result.documents} document{'s' if result.documents != 1 else ''}{split}, "
        f"{result.spans} span{'s' if result.spans != 1 else ''} ({fmt.name})"
    )
    if result.conflicts:
        n = result.conflicts
        print(
            f"left out: {n} document{'s' if n != 1 else ''} where annotators differ and no reviewer decided; "
            f"review {'them' if n != 1 else 'it'} with: tagdesk open {args.dir} --review"
        )
    if result.changed:
        print(
            f"--align {args.align}: {result.changed} span{'s' if result.changed != 1 else ''} moved to token boundaries"
        )
    return 0
