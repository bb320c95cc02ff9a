"""The real annotation window in a child process, driven by real key presses and mouse drags (QTest), for the GUI
crash test (test_crash_gui_kill9.py).

    python gui_crash_child.py PROJECT SETTINGS.ini SEED

It opens `desktop.main_window.MainWindow` offscreen on PROJECT (no background work: the suggestions are already
stored under MODEL_KEY, the tokenizer is spacy.blank("en")'s), then makes random edits and decisions until
killed: drag to add a span, click + label key 1-3, click + Delete, click + Enter on a pending suggestion, a / x /
space on the document, Ctrl+Z. Before each action it prints an `intent` line (the document's state if the action
lands); once the window shows the action as done it prints an `ack` line: the document's whole state (status,
spans, dismissed suggestions) as the window shows it. One JSON line each, flushed. A window that shows something
other than what the action must do is a failure: the child says so on stderr and exits 3.
TAGDESK_TEST_HOLD=opening|committing:N|committed:N stops it at a known point and waits on stdin for the kill:
while the project opens (its database just connected), inside the Nth commit of a decision (its statements run,
not committed), or right after that commit, before the window shows it.
TAGDESK_TEST_ACK_BEFORE=1 makes it acknowledge each action BEFORE doing it (a window that says "saved" too
early); with TAGDESK_TEST_HOLD_AFTER_ACK=N it then stops after its Nth such ack that changes something, before
doing the action, says "holding" and waits on stdin for the kill: the crash test's check must catch that lie.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # for tests.desktop.helpers

import spacy  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.main_window import MainWindow  # noqa: E402
from desktop.snapping import Snapper  # noqa: E402
from models.project import open_project  # noqa: E402
from tests.desktop.helpers import click, drag, press  # noqa: E402

MODEL_KEY = "crash-model@1"
ACK_BEFORE = os.environ.get("TAGDESK_TEST_ACK_BEFORE") == "1"  # the fail-check: a child that lies
HOLD_AFTER_ACK = int(os.environ.get("TAGDESK_TEST_HOLD_AFTER_ACK", "0"))
HOLD = os.environ.get("TAGDESK_TEST_HOLD", "")  # opening | committing:N | committed:N (see hold_at)
CTRL = Qt.KeyboardModifier.ControlModifier
KEYS = {"accepted": Qt.Key.Key_A, "rejected": Qt.Key.Key_X, "ignored": Qt.Key.Key_Space}
LABEL_KEYS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]


class Bot:
    """What tests/desktop/helpers.py needs of pytest-qt's qtbot: QTest itself (qtbot's method names)."""

    keyClick = staticmethod(QTest.keyClick)
    mousePress = staticmethod(QTest.mousePress)
    mouseRelease = staticmethod(QTest.mouseRelease)
    mouseClick = staticmethod(QTest.mouseClick)
    mouseMove = staticmethod(QTest.mouseMove)


def emit(kind: str, doc: int, snap: dict, what: str) -> None:
    sys.stdout.write(json.dumps({"kind": kind, "doc": doc, "what": what, **snap}) + "\n")
    sys.stdout.flush()


def fail(message: str) -> None:
    sys.stderr.write(f"window disagrees: {message}\n")
    sys.stderr.flush()
    os._exit(3)


class Driver:
    def __init__(self, window: MainWindow, rng: random.Random) -> None:
        self.w = window
        self.rng = rng
        self.bot = Bot()
        self.history: list[tuple[int, dict]] = []  # per command on the undo stack: (document, state before)
        self.lies = 0  # acknowledgements written before their action (TAGDESK_TEST_ACK_BEFORE)

    # ------------------------------------------------------------------ what the window shows
    def shown_status(self, doc: int) -> str:
        model = self.w.documents.list_model
        return model.row_of(model.row_for(doc)).status

    def shown(self) -> dict:
        """The document on screen: its status in the list, the spans painted in the text view, its dismissals."""
        state = self.w.session.state
        items = self.w.text.items_in_view()
        return {
            "status": self.shown_status(state.document_id),
            "spans": sorted([i.start, i.end, i.label] for i in items if not i.pending),
            "dismissed": sorted(list(d) for d in state.dismissed),
        }

    def pending(self) -> list:
        return sorted((i for i in self.w.text.items_in_view() if i.pending), key=lambda i: i.start)

    def spans(self) -> list:
        return sorted((i for i in self.w.text.items_in_view() if not i.pending), key=lambda i: i.start)

    # ------------------------------------------------------------------ one action
    def step(self) -> None:
        ops = ["drag", "label", "delete", "enter", "decide", "undo"]
        op = self.rng.choices(ops, weights=[30, 15, 12, 10, 15, 18])[0]
        getattr(self, op)()

    def act(self, what: str, expected: dict, action, doc: int | None = None) -> None:
        """Say what must be stored once `action` lands, do it, check the window shows it, acknowledge it."""
        doc = doc if doc is not None else self.w.session.document_id
        before, depth = self.shown(), self.w.session.undo.index()
        emit("intent", doc, expected, what)
        if ACK_BEFORE:
            emit("ack", doc, expected, what)
            self.lies += expected != before
            if HOLD_AFTER_ACK and self.lies >= HOLD_AFTER_ACK and expected != before:
                sys.stdout.write(json.dumps({"kind": "holding", "doc": doc}) + "\n")
                sys.stdout.flush()
                sys.stdin.readline()
                os._exit(4)
        action()
        QApplication.processEvents()
        now = self.shown() if self.w.session.document_id == doc else {**expected, "status": self.shown_status(doc)}
        if now != expected:
            fail(f"{what} on document {doc}: expected {expected}, the window shows {now}")
        if what != "undo":
            if self.w.session.undo.index() != depth + 1:
                fail(f"{what} on document {doc} did not enter the undo stack")
            self.history.append((doc, before))
        if not ACK_BEFORE:
            emit("ack", doc, now, what)

    def _free_slot(self, width: int) -> int | None:
        text = self.w.session.state.text
        taken = [(i.start, i.end) for i in self.spans()]
        free = [
            k
            for k in range(len(text) // 5 - width + 1)
            if not any(a < 5 * (k + width) - 1 and b > 5 * k for a, b in taken)
        ]
        return self.rng.choice(free) if free else None

    def drag(self) -> None:
        width = self.rng.choice([1, 1, 2])
        k = self._free_slot(width)
        if k is None:
            return self.decide()
        start, end = 5 * k, 5 * (k + width) - 1
        label = self.w.session.active_label
        exp = self.shown()
        exp["spans"] = sorted([*exp["spans"], [start, end, label]])
        # press inside the first word, release inside the last: the snapper widens it to whole tokens
        self.act("drag", exp, lambda: drag(self.bot, self.w, start + self.rng.randint(0, 2), end - 1))

    def _pick(self, items: list):
        item = self.rng.choice(items)
        click(self.bot, self.w, item.start + 1)
        if self.w.session.selected != item.key:
            fail(
                f"a click on {item} (drawn in the text view) selected {self.w.session.selected}; the session has "
                f"{self.w.session.state.item_at(item.start + 1)} there"
            )
        return item

    def label(self) -> None:
        items = self.spans() + self.pending()
        if not items:
            return self.drag()
        item = self._pick(items)
        labels = self.w.session.labels
        choices = [i for i, lab in enumerate(labels[:3]) if item.pending or lab != item.label]
        index = self.rng.choice(choices)
        exp = self.shown()
        exp["spans"] = sorted(
            [*(s for s in exp["spans"] if s[:2] != [item.start, item.end]), [item.start, item.end, labels[index]]]
        )
        self.act("label", exp, lambda: press(self.bot, self.w, LABEL_KEYS[index]))

    def delete(self) -> None:
        items = self.spans() + self.pending()
        if not items:
            return self.drag()
        item = self._pick(items)
        exp = self.shown()
        key = [item.start, item.end, item.label]
        exp["spans"] = [s for s in exp["spans"] if s != key]
        # a pending suggestion is dismissed; a span takes with it the suggestions it hid (they must not come back)
        hidden = (
            [key] if item.pending else [list(h) for h in self.w.session.state.hidden_suggestions(item.start, item.end)]
        )
        exp["dismissed"] = sorted([*exp["dismissed"], *(h for h in hidden if h not in exp["dismissed"])])
        self.act("delete", exp, lambda: press(self.bot, self.w, Qt.Key.Key_Delete))

    def enter(self) -> None:
        items = self.pending()
        if not items:
            return self.label()
        item = self._pick(items)
        exp = self.shown()
        exp["spans"] = sorted([*exp["spans"], [item.start, item.end, item.label]])
        self.act("enter", exp, lambda: press(self.bot, self.w, Qt.Key.Key_Return))

    def decide(self) -> None:
        status = self.rng.choice(list(KEYS))
        exp = self.shown()
        exp["status"] = status
        if status == "accepted":
            exp["spans"] = sorted([*exp["spans"], *([i.start, i.end, i.label] for i in self.pending())])
        self.act(status, exp, lambda: press(self.bot, self.w, KEYS[status]))

    def undo(self) -> None:
        if not self.history:
            return self.drag()
        doc, before = self.history.pop()
        depth = self.w.session.undo.index()

        def ctrl_z() -> None:
            press(self.bot, self.w, Qt.Key.Key_Z, CTRL)
            if self.w.session.undo.index() != depth - 1:
                fail("Ctrl+Z did not undo")
            if self.w.session.document_id != doc:
                fail(f"Ctrl+Z did not bring document {doc} back on screen")

        self.act("undo", before, ctrl_z, doc=doc)


def hold(at: str) -> None:
    sys.stdout.write(json.dumps({"kind": "holding", "at": at}) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()
    os._exit(4)  # the test kills the child before it gets here


def hold_at(when: str) -> None:
    """Arm TAGDESK_TEST_HOLD: "opening" now, a decision's commit once the window is ready."""
    from sqlalchemy import Engine, event
    from sqlalchemy.orm import Session

    if when == "opening":
        event.listen(Engine, "connect", lambda *_a: hold("opening"))
        return
    point, n = when.split(":")
    count = {"n": 0}

    def on_commit(_session) -> None:
        count["n"] += 1
        if count["n"] == int(n):
            hold(point)

    event.listen(Session, "before_commit" if point == "committing" else "after_commit", on_commit)


def main() -> int:
    folder, settings_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = QApplication.instance() or QApplication([])
    if HOLD == "opening":
        hold_at(HOLD)
    project = open_project(folder)
    window = MainWindow(project, settings=QSettings(settings_path, QSettings.Format.IniFormat), background=False)
    window.session.snapper = Snapper(spacy.blank("en").tokenizer)
    window.session.set_model_key(MODEL_KEY)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    window.windowHandle().requestActivate()  # shortcuts only fire in the active window
    for _ in range(100):
        if window.isActiveWindow():
            break
        QTest.qWait(10)
    if not window.isActiveWindow():
        fail("the window is not active: its shortcuts would not fire")
    window.text.setFocus()
    sys.stdout.write(json.dumps({"kind": "ready", "doc": window.session.document_id}) + "\n")
    sys.stdout.flush()
    if HOLD and HOLD != "opening":
        hold_at(HOLD)
    driver = Driver(window, random.Random(seed))
    while app is not None:  # until killed
        driver.step()
    return 0


if __name__ == "__main__":
    sys.exit(main())
