"""A decision while another process holds the project's write lock (an import committing, another window's large
accept): the window stays responsive and says "Saving…", keys pressed meanwhile are applied in order once the
lock is free, and it moves on only after the decision is committed."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt, QTimer

from models.db import engine as engine_mod
from tests.desktop.helpers import bounded, press, settle, status, stored

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI, MOSCOW = (16, 24), (47, 53)
TEXTS = [TEXT, "Second article about Berlin.", "Third article about Paris.", "Fourth.", "Fifth."]
SUGGESTED = {0: [(*LI, "PERSON"), (*MOSCOW, "GPE")]}

# Another program writing to the project: it takes the write lock, says so, and keeps it for a while.
HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def hold_lock(project, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(project.database_path), str(seconds)], stdout=subprocess.PIPE
    )
    assert holder.stdout.readline() == b"holding\n"
    return holder


class Ticks:
    """Counts the GUI thread's timer ticks: a window blocked on the lock does not tick."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.count = 0
        self.timer = QTimer(interval=interval_ms, timeout=self.tick)
        self.timer.start()

    def tick(self) -> None:
        self.count += 1


def test_keys_pressed_while_another_process_holds_the_lock_are_applied_in_order_once_it_is_free(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    holder = hold_lock(w.project, 3.0)
    ticks = Ticks()
    with bounded(1.5, "three key presses while another process holds the write lock"):
        press(qtbot, w, Qt.Key.Key_A, wait=False)  # accept document 1 (its two suggestions become entities)
        press(qtbot, w, Qt.Key.Key_X, wait=False)  # then reject the next one
        press(qtbot, w, Qt.Key.Key_Space, wait=False)  # and ignore the one after
    pressed = ticks.count
    qtbot.waitUntil(w.status.saving.isVisible, timeout=2000)
    assert w.status.saving.text() == "Saving…"
    qtbot.wait(500)
    assert holder.poll() is None  # the other process still holds the lock ...
    assert ticks.count - pressed >= 10  # ... and the window kept running its event loop meanwhile
    assert w.session.document_id == 1  # not moved on: nothing is committed yet
    assert [status(w, d) for d in (1, 2, 3)] == ["pending"] * 3
    assert holder.wait(timeout=30) == 0
    settle(w)
    assert [status(w, d) for d in (1, 2, 3, 4)] == ["accepted", "rejected", "ignored", "pending"]
    assert stored(w, 1) == [(*LI, "PERSON", "model"), (*MOSCOW, "GPE", "model")]
    assert w.session.document_id == 4
    assert not w.status.saving.isVisible()
    assert w.session.undo.count() == 3
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the undo stack is in the same order
    assert status(w, 3) == "pending" and w.session.document_id == 3


def test_a_lock_held_past_the_busy_timeout_saves_nothing_and_drops_the_keys_typed_after(
    make_window, qtbot, monkeypatch
):
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_S", 0.5)  # read when the window's connections open
    w = make_window(TEXTS, SUGGESTED)
    holder = hold_lock(w.project, 3.0)
    notices = []
    w.session.message.connect(notices.append)
    press(qtbot, w, Qt.Key.Key_A, wait=False)
    press(qtbot, w, Qt.Key.Key_A, wait=False)
    press(qtbot, w, Qt.Key.Key_X, wait=False)
    settle(w, timeout=20)
    assert holder.poll() is None  # the window gave up before the other program finished
    assert any("write lock" in n and "NOT saved" in n and "2 keys pressed meanwhile not applied" in n for n in notices)
    assert w.session.document_id == 1 and w.session.undo.count() == 0
    holder.wait(timeout=30)
    assert [status(w, d) for d in (1, 2)] == ["pending", "pending"]
    press(qtbot, w, Qt.Key.Key_A)  # once the other program is done, the same key works
    assert status(w, 1) == "accepted" and w.session.document_id == 2
