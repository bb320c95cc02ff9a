"""Driving the window like a user: keys on the focused text view, mouse drags over character offsets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from models import store


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.text, key, modifier)


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


def click(qtbot, window, offset: int) -> None:
    qtbot.mouseClick(
        window.text.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_of(window, offset)
    )


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
