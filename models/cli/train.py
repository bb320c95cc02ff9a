"""tagdesk train DIR [--from blank|pipeline] [--eval-share 0.2 | --eval-file F] [--steps N] [--max-minutes M]
[--no-curve] [--no-rehearse] [--label L] [--use]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..project import open_project
from . import positive


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "train",
        help="train the NER from the accepted documents; saves DIR/pipelines/NNN",
        description="Train a spaCy NER component from the project's accepted documents (a reviewed document's "
        "gold annotation, else what its annotators accepted; documents whose annotators differ unreviewed are left "
        "out and counted), with the documents' own tokens where "
        "they have them and the suggestions annotators removed as known-wrong spans. A stable share of the "
        "accepted documents is held out for evaluation (the same split as export --dev). Prints precision, "
        "recall and F per label and the learning curve at 25/50/75/100 % of the training documents. Writes "
        "only DIR/pipelines/NNN/; the annotations are never changed. CPU only.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--from",
        dest="start",
        choices=("blank", "pipeline"),
        default="blank",
        help="blank: a new model for the project's labels, with the tokenizer of the project's language "
        "(default); pipeline: update the project's pipeline (model.pipeline), keeping what it knew by "
        "rehearsing on its own predictions over undecided project documents (as many as there are training "
        "documents, at most 500)",
    )
    p.add_argument("--eval-share", type=float, default=0.2, metavar="X", help="held-out share (default: 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the held-out split (default: 0, as export --dev)")
    p.add_argument(
        "--eval-file",
        type=Path,
        metavar="FILE",
        help="evaluate on the annotated documents of this file instead (any importable format; not stored)",
    )
    p.add_argument("--steps", type=positive, default=2000, metavar="N", help="training steps at most (default 2000)")
    p.add_argument("--eval-every", type=positive, default=200, metavar="N", help="steps between evaluations")
    p.add_argument("--patience", type=int, default=1600, metavar="N", help="stop after N steps without progress")
    p.add_argument("--max-minutes", type=float, metavar="M", help="stop after M minutes, keeping the best so far")
    p.add_argument("--no-curve", action="store_true", help="skip the learning curve (about 2.5x faster)")
    p.add_argument("--no-rehearse", action="store_true", help="with --from pipeline: do not rehearse")
    p.add_argument("--label", action="append", default=[], metavar="L", help="train only these labels (repeat)")
    p.add_argument("--use", action="store_true", help="make the new pipeline the project's suggester")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def scores_table(scores: dict[str, Any], baseline: dict[str, Any] | None = None) -> list[str]:
    """Per-label and overall precision, recall and F as lines of text."""
    rows = [f"  {'label':<14} {'P':>6} {'R':>6} {'F':>6} {'n':>6}"]
    for label, v in scores["per_label"].items():
        rows.append(f"  {label:<14} {v['p']:6.2f} {v['r']:6.2f} {v['f']:6.2f} {v['n']:6d}")
    rows.append(f"  {'all':<14} {scores['p']:6.2f} {scores['r']:6.2f} {scores['f']:6.2f}")
    if baseline is not None:
        rows.append(f"  current pipeline ({baseline.get('pipeline')}): F {baseline['f']:.2f} on the same documents")
    return rows


def run(args: argparse.Namespace) -> int:
    import json

    from ..train import TrainOptions, train_project

    options = TrainOptions(
        start=args.start,
        eval_share=args.eval_share,
        seed=args.seed,
        eval_file=args.eval_file,
        max_steps=args.steps,
        eval_frequency=args.eval_every,
        patience=args.patience,
        max_minutes=args.max_minutes,
        curve=not args.no_curve,
        rehearse=not args.no_rehearse,
        labels=tuple(args.label),
    )
    show = not args.quiet and sys.stderr.isatty()
    with open_project(args.dir) as project:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[extra]}"),
            TimeElapsedColumn(),
            disable=not show,
            transient=True,
        ) as progress:
            task = progress.add_task("reading", total=None, extra="")

            def on_progress(step: Any) -> None:
                score = f"F {step.score:.2f}" if step.score is not None else ""
                extra = f"loss {step.loss:8.2f} {score}" if step.total else ""
                progress.update(
                    task,
                    description=f"training {step.phase}" if step.total else step.phase,
                    completed=step.step,
                    total=step.total or None,
                    extra=extra,
                )

            try:
                result = train_project(project, options, on_progress=on_progress, use=args.use)
            except KeyboardInterrupt:
                progress.stop()
                print(
                    "tagdesk: training interrupted; nothing was saved, the current model is unchanged", file=sys.stderr
                )
                return 130
    if args.json:
        print(json.dumps(result.version.meta, indent=2, ensure_ascii=False))
        return 0
    meta = result.version.meta
    docs = meta["documents"]
    print(
        f"{result.version.path}: trained from {meta['from']} on {docs['train']} documents "
        f"({docs['eval']} held out for evaluation) in {meta['seconds']:.0f} s, {meta['steps']} steps"
    )
    print("\n".join(scores_table(result.scores, result.baseline)))
    if len(result.curve) > 1:
        points = ", ".join(f"{c['share'] * 100:.0f} %: {c['f']:.2f}" for c in result.curve)
        print(f"  learning curve (F): {points}")
        print(f"  {result.advice}")
    for note in result.notes:
        print(f"  note: {note}")
    if args.use:
        print(f"The project now suggests with {result.version.pipeline_setting}; run: tagdesk suggest {args.dir}")
    else:
        print(f"Use it for suggestions with: tagdesk models {args.dir} --use {result.version.name}")
    return 0
