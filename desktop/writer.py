"""The one asynchronous path for decisions: store writes run on one dedicated thread, one at a time, in order.

While a decision is being written (another process holds the write lock: an import, another window's large
accept) the window stays responsive: it paints, and after a moment says "Saving…". What the annotator does
meanwhile (keys, clicks) is queued and applied in order once the decision is committed and shown, so "a a a"
typed ahead accepts three documents, each one after the previous is saved (the window moves on only after a
commit). A failed write drops the queue (those keys were typed for a window that would have moved on) and says so.

    writer.later(lambda: session.decide("accepted"))   # now if idle, else after what is being saved
    writer.run(work, done, failed)                      # work() on the writer thread; done(result) on the GUI's

`run` may be called again from `done` (a decision, then finding the next document): the writer stays busy until
the last step of the chain is over, and only then takes the next queued action. `hold()` / `release()` keep it
busy without a write (waiting for a document's suggestions before accepting it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from .tasks import run_task

SAVING_AFTER_MS = 150  # a write taking longer than this says "Saving…" (a usual one takes ~2 ms: no flicker)


class Writer(QObject):
    saving = Signal(bool)  # True once a write has taken longer than SAVING_AFTER_MS; False when the chain is over
    idle = Signal()  # nothing is being written or waited for, and the queue is empty

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer: decisions commit in the order they were made
        self._pool.setExpiryTimeout(-1)  # keep the thread: no start-up cost per decision
        self._steps = 0  # steps of the current chain under way (writes, reads, holds)
        self._queue: deque[Callable[[], None]] = deque()
        self._chain_over: list[Callable[[], None]] = []  # run when the chain is over, before the queue
        self._saving = False
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SAVING_AFTER_MS)
        self._slow.timeout.connect(self._show_saving)

    @property
    def busy(self) -> bool:
        return self._steps > 0

    def queued(self) -> int:
        return len(self._queue)

    def later(self, action: Callable[[], None]) -> None:
        """Run a user action now, or once what is being saved is committed (queued in order)."""
        if self.busy or self._queue:
            self._queue.append(action)
        else:
            action()

    def run(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> None:
        """Run `work()` (store calls in its own session, no Qt) on the writer thread; then `done(result)` or
        `failed(exc)` on the GUI thread."""
        self._begin()
        if not self._saving and not self._slow.isActive():
            self._slow.start()
        task = run_task(lambda _report, _stop: work(), name="decision", pool=self._pool)
        task.finished.connect(lambda result: self._end(done, result))
        task.failed.connect(lambda exc: self._end(failed, exc))
        task.cancelled.connect(lambda: self._end(lambda _none: None, None))  # closing: the write still ran

    def when_over(self, action: Callable[[], None]) -> None:
        """Run `action` once the chain under way is over (now if none is), before the queued actions; dropping
        the queue does not drop it."""
        if self.busy:
            self._chain_over.append(action)
        else:
            action()

    def hold(self) -> None:
        """Stay busy (queueing actions) until `release()`; nothing is being saved meanwhile."""
        self._begin()

    def release(self) -> None:
        self._end(lambda _none: None, None)

    def drop_queue(self) -> int:
        """Forget the queued actions (after a failed write); how many there were."""
        count = len(self._queue)
        self._queue.clear()
        return count

    def wait(self, timeout_ms: int = 15_000) -> bool:
        """Block until the write under way has finished on its thread (closing the window). True if it did."""
        return self._pool.waitForDone(timeout_ms)

    # -- the chain
    @property
    def is_saving(self) -> bool:
        """A write has been under way for longer than SAVING_AFTER_MS."""
        return self._saving

    def _begin(self) -> None:
        self._steps += 1

    def _end(self, then: Callable[[Any], None], arg: Any) -> None:
        try:
            then(arg)  # may start the chain's next step
        finally:
            self._steps -= 1
            while self._steps == 0 and self._chain_over:
                self._chain_over.pop(0)()
            if self._steps == 0:
                self._slow.stop()
                if self._saving:
                    self._saving = False
                    self.saving.emit(False)
                self._next()

    def _next(self) -> None:
        """Take queued actions in order until one starts a write (or the queue is empty)."""
        while self._queue and not self.busy:
            action = self._queue.popleft()
            try:
                action()
            except BaseException:
                self._queue.clear()  # a bug in one action: the ones typed after it must not run blind
                raise
        if not self.busy and not self._queue:
            self.idle.emit()

    def _show_saving(self) -> None:
        if self.busy and not self._saving:  # (a hold alone never starts the timer)
            self._saving = True
            self.saving.emit(True)
