"""`train_project` in a child process: the window's Train runs here, so training's CPU work never competes with
the window's thread for Python's interpreter lock, and Cancel can end it for sure.

The child opens the project itself, trains, writes `pipelines/NNN/` and reports over a queue: each step, then the
result or the error message. On cancel the child is asked to stop (it raises at its next step and writes
nothing); if it does not end within `CANCEL_WAIT_S` it is terminated, and a half-written `.NNN.partial` folder is
removed by the next run. Nothing here writes the project's database.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_mod
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import TagdeskError, TrainingError
from ..project import Project, open_project
from .loop import Step
from .run import TrainOptions, TrainResult
from .versions import get_version, use_version

CANCEL_WAIT_S = 10.0
POLL_S = 0.1


def _child(folder: str, options: TrainOptions, out: Any, stop: Any) -> None:
    from .run import train_project

    try:
        with open_project(folder, before_upgrade=None) as project:
            result = train_project(
                project, options, on_progress=lambda step: out.put(("step", asdict(step))), should_stop=stop.is_set
            )
        out.put(("done", result.version.number))
    except TagdeskError as exc:
        out.put(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it as a bug
        import traceback

        out.put(("crash", f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc()}"))


def train_in_process(
    project: Project,
    options: TrainOptions = TrainOptions(),  # noqa: B008 - frozen
    *,
    on_progress: Callable[[Step], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    use: bool = False,
) -> TrainResult:
    """Like `train_project`, in a child process (see the module notes). Raises TrainingError on a cancel."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(target=_child, args=(str(Path(project.folder).resolve()), options, out, stop), daemon=True)
    child.start()
    cancelled_at: float | None = None
    message: tuple[Any, ...] | None = None
    import time

    try:
        while message is None:
            if should_stop and should_stop() and cancelled_at is None:
                stop.set()
                cancelled_at = time.monotonic()
            if cancelled_at is not None and time.monotonic() - cancelled_at > CANCEL_WAIT_S:
                child.terminate()
                raise TrainingError("training cancelled; nothing was saved and the current model is unchanged")
            try:
                item = out.get(timeout=POLL_S)
            except queue_mod.Empty:
                if not child.is_alive() and out.empty():
                    raise TrainingError(
                        f"the training process ended unexpectedly (exit code {child.exitcode}); nothing was saved"
                    ) from None
                continue
            if item[0] == "step":
                if on_progress:
                    on_progress(Step(**item[1]))
            else:
                message = item
    finally:
        child.join(timeout=CANCEL_WAIT_S)
        if child.is_alive():
            child.terminate()
            child.join(timeout=2)
    kind, value = message
    if kind == "error":
        raise TrainingError(value)
    if kind == "crash":
        raise RuntimeError(f"training failed in its process: {value}")
    version = get_version(project, int(value))
    meta = version.meta
    if use:
        use_version(project, version)
    return TrainResult(
        version,
        meta["scores"],
        meta.get("baseline"),
        meta.get("curve", []),
        meta.get("advice", ""),
        meta.get("notes", []),
        any("time limit" in n for n in meta.get("notes", [])),
    )
