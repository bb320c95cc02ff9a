"""tagdesk suggest DIR [--batch-size N] [--processes N] [--no-scores] [--quiet]"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from ..project import open_project
from ..store import document_count
from . import positive


class _RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("  -- docs/s" if speed is None else f"{speed:5.1f} docs/s", style="progress.data.speed")


SignalHandler = Callable[[int, FrameType | None], Any] | int | None  # what signal.signal takes and returns


def _quiet_workers_on_ctrl_c() -> SignalHandler:
    """Ctrl-C: stop spaCy's worker processes at once and quietly, then interrupt this process.

    The workers get Ctrl-C too (same process group) and would each print a traceback; and waiting for them to finish
    can hang (spaCy joins workers blocked on a full result pipe). Finished batches are already committed.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        if os.getpid() != parent:
            os._exit(130)  # a worker: its unfinished batch is not wanted
        for child in multiprocessing.active_children():
            child.terminate()
        raise KeyboardInterrupt

    return signal.signal(signal.SIGINT, handler)


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "suggest",
        help="pre-annotate documents with the project's spaCy pipeline and patterns",
        description="Store model suggestions for every document lacking them for the current model "
        "(pipeline name@version, patterns and label mapping). Work is committed in "
        "batches: Ctrl-C keeps what was finished and running it again resumes.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--batch-size",
        type=positive,
        default=64,
        metavar="N",
        help="documents per spaCy batch and per commit (default: 64)",
    )
    p.add_argument(
        "--processes",
        type=positive,
        default=1,
        metavar="N",
        help="spaCy worker processes (default: 1; 2 is ~1.7x faster on 2 cores)",
    )
    p.add_argument(
        "--no-scores",
        dest="scores",
        action="store_false",
        help="skip each entity's probability (spaCy's beam search, sentence by sentence: about 3.3x the time "
        "of suggestions alone); without scores the window cannot sort most uncertain first. With scores "
        "(default), documents already suggested without them get them, under the same cache key",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar; print only the summary and problems")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..suggest import load_suggester, suggest_documents

    show = not args.quiet and sys.stderr.isatty()
    with open_project(args.dir) as project:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeRemainingColumn(),
            disable=not show,
            transient=True,
        ) as progress:
            task = progress.add_task("loading the model", total=None)
            suggester = load_suggester(project)
            progress.update(task, description="suggesting")
            started = time.perf_counter()
            total = 0

            def on_progress(done: int, all_: int) -> None:
                nonlocal total
                total = all_
                progress.update(task, completed=done, total=all_)

            done = 0
            previous = _quiet_workers_on_ctrl_c()
            try:
                # spaCy warns "not all workers completed" when we stop its workers on Ctrl-C
                warnings.filterwarnings("ignore", message=r"\[W127\]")
                done = suggest_documents(
                    project,
                    suggester,
                    batch_size=args.batch_size,
                    n_process=args.processes,
                    on_progress=on_progress,
                    scores=args.scores,
                )
            except KeyboardInterrupt:
                progress.stop()
                kept = int(progress.tasks[0].completed)
                print(
                    f"tagdesk: interrupted; suggestions for {kept} of the {total} documents lacking them were "
                    "stored; run the same command again to resume",
                    file=sys.stderr,
                )
                return 130
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
        seconds = time.perf_counter() - started
        if total == 0:
            with project.session() as session:
                empty = document_count(session=session) == 0
            print(
                f"{args.dir}: no documents yet; add some with: tagdesk import {args.dir} FILE..."
                if empty
                else f"{args.dir}: every document already has suggestions for {suggester.key}"
            )
            return 0
    rate = f", {done / seconds:.1f} docs/s" if seconds > 0 else ""
    print(
        f"{args.dir}: suggestions stored for {done} document{'s' if done != 1 else ''} "
        f"({suggester.key}) in {seconds:.1f} s{rate}"
    )
    return 0
