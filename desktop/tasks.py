"""Background tasks: the one place that runs a plain-callback core function on `QThreadPool`.

A core function takes `on_progress` and `should_stop` callables; `run_task` runs it on a pool
thread and delivers `progress`, `finished` and `failed` as signals on the GUI thread. Never touch a widget from
the function itself: only the signal handlers run on the GUI thread. Each function opens its own database
session (SQLAlchemy sessions are not shared between threads).

    task = run_task(lambda report, stop: suggest_documents(project, s, on_progress=report, should_stop=stop))
    task.progress.connect(bar.update); task.finished.connect(done); task.failed.connect(show_error)
    task.cancel()   # asks the function to stop at its next should_stop() check

Before the project closes, `shutdown()` cancels every task and waits (bounded) for the pool threads to end.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

Report = Callable[..., None]  # on_progress(*args): the GUI gets Task.progress(args)
ShouldStop = Callable[[], bool]
Work = Callable[[Report, ShouldStop], Any]

_running: set[Task] = set()  # keeps a task (and its signals) alive until it has reported
_pools: set[QThreadPool] = set()  # the pools tasks were started on (waited for by shutdown)
SHUTDOWN_WAIT_MS = 5_000


class Task(QObject):
    """A handle on one background run. Signals arrive on the GUI thread (queued connections)."""

    progress = Signal(object)  # the tuple of arguments the function passed to on_progress
    finished = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised (with `.traceback_text`)
    cancelled = Signal()  # it stopped after cancel() (finished is not emitted)
    # emitted on the worker thread; relayed by this object's slots, which Qt runs on the GUI thread (the thread
    # this object lives in), so handlers of the public signals above always run there, lambdas included
    _w_progress = Signal(object)
    _w_finished = Signal(object)
    _w_failed = Signal(object)
    _w_cancelled = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._stop = threading.Event()
        self.done = False
        queued = Qt.ConnectionType.QueuedConnection
        self._w_progress.connect(self._relay_progress, queued)
        self._w_finished.connect(self._relay_finished, queued)
        self._w_failed.connect(self._relay_failed, queued)
        self._w_cancelled.connect(self._relay_cancelled, queued)

    @Slot(object)
    def _relay_progress(self, args: tuple[object, ...]) -> None:
        if not self.done:
            self.progress.emit(args)

    @Slot(object)
    def _relay_finished(self, result: Any) -> None:
        self.done = True
        self.finished.emit(result)

    @Slot(object)
    def _relay_failed(self, exc: BaseException) -> None:
        self.done = True
        self.failed.emit(exc)

    @Slot()
    def _relay_cancelled(self) -> None:
        self.done = True
        self.cancelled.emit()

    def cancel(self) -> None:
        self._stop.set()

    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def _report(self, *args: Any) -> None:
        self._w_progress.emit(args)


class _Runner(QRunnable):
    def __init__(self, task: Task, work: Work) -> None:
        super().__init__()
        self.task = task
        self.work = work
        self.setAutoDelete(True)

    def run(self) -> None:
        task = self.task
        try:
            result = self.work(_guarded(task._report), task.is_cancelled)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI, never swallowed
            exc.__dict__["traceback_text"] = traceback.format_exc()  # an attribute of our own on any exception
            _emit(task._w_failed, exc)
        else:
            if task.is_cancelled():
                _emit(task._w_cancelled)
            else:
                _emit(task._w_finished, result)


def _emit(signal: Any, *args: Any) -> None:
    """Emit from the worker thread; if the window (and the task object) went away meanwhile, nobody listens."""
    with contextlib.suppress(RuntimeError):  # "Signal source has been deleted": the app is closing
        signal.emit(*args)


def _guarded(report: Callable[..., None]) -> Callable[..., None]:
    def guarded(*args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the task was deleted while closing: progress has no reader
            report(*args)

    return guarded


def shutdown(timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
    """Cancel every running task and wait up to `timeout_ms` for the pool threads to finish (call before the
    project's database closes). True if every task ended in time."""
    for task in list(_running):
        task.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    done = True
    for pool in list(_pools):
        if not shiboken6.isValid(pool):  # a pool owned by a window that is gone (it waited for its threads)
            _pools.discard(pool)
            continue
        left = max(0, int((deadline - time.monotonic()) * 1000))
        done = pool.waitForDone(left) and done
    return done


def run_task(work: Work, *, name: str = "task", pool: QThreadPool | None = None) -> Task:
    """Run `work(on_progress, should_stop)` on the thread pool; return its Task (connect to its signals now:
    they are delivered by the GUI thread's event loop, so nothing is missed)."""
    task = Task(name)
    _running.add(task)

    def forget(*_args: Any) -> None:
        _running.discard(task)

    task.finished.connect(forget)
    task.failed.connect(forget)
    task.cancelled.connect(forget)
    pool = pool or QThreadPool.globalInstance()
    _pools.add(pool)
    pool.start(_Runner(task, work))
    return task
