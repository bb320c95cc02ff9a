"""Driving the window like a user: keys on the focused text view, mouse drags over character offsets."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, QPoint, Qt
from PySide6.QtWidgets import QApplication

from models import store


def settle(window, timeout: float = 30.0) -> None:
    """Wait, processing events, until the window has saved what it was writing, applied the actions queued
    meanwhile (decisions are written on the writer thread: a key press returns before its commit) and shown the
    counters read after them (on a thread of their own)."""
    writer, counters = window.session.writer, window.counters
    deadline = time.monotonic() + timeout
    while writer.busy or writer.queued() or counters.busy:
        assert time.monotonic() < deadline, f"the window is still saving after {timeout:g} s"
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.0002)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier, *, wait: bool = True) -> None:
    """A key press on the text view; by default, wait until what it does is saved and shown."""
    qtbot.keyClick(window.text, key, modifier)
    if wait:
        settle(window)


def point_of(window, offset: int, *, after: bool = False) -> QPoint:
    """Viewport point in the middle of the character at a code-point offset (or just before/after it)."""
    rect = window.text.char_rect(offset)
    return QPoint(rect.x() + (-1 if after else 2), rect.center().y())


def drag(qtbot, window, start: int, end: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press inside character `start`, release just after character `end - 1`."""
    vp = window.text.viewport()
    a, b = point_of(window, start), point_of(window, end, after=True)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, modifier, a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, b.y()))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, modifier, b)
    settle(window)


def click(qtbot, window, offset: int) -> None:
    qtbot.mouseClick(
        window.text.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_of(window, offset)
    )
    settle(window)


def stored(window, document_id: int = 1) -> list[tuple[int, int, str, str]]:
    with window.project.session() as s:
        return [
            (st, en, lab, origin)
            for _id, st, en, lab, origin, _score in store.span_tuples(
                document_id, session=s, annotator=window.project.annotator
            )
        ]


def status(window, document_id: int = 1) -> str:
    with window.project.session() as s:
        ann = store.get_annotation(document_id, session=s, annotator=window.project.annotator)
    return ann.status if ann else "pending"


def char_box(window, offset: int):
    """Viewport rectangle of the character at a code-point offset (its full line height)."""
    return window.text.char_rect(offset)


def shot(window):
    """What the text view's viewport shows now, as an image."""
    return window.text.viewport().grab().toImage()


@contextmanager
def bounded(seconds: float, what: str):
    """Fail if the block runs longer than `seconds`, a hang on the GUI thread included: SIGALRM interrupts the
    Python code spinning inside a Qt slot (a timeout around the event loop would never get control back)."""
    fired = []

    def alarm(_signum, _frame):
        fired.append(True)
        raise TimeoutError(f"{what}: blocked for more than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not fired, f"{what}: blocked for more than {seconds:g} s"
