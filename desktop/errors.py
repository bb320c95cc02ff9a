"""Errors in the window: a failed read becomes a status-bar message; anything unexpected a dialog, not silence.

Slots that read the database wrap the read in `read_errors(notify)`: a `TagdeskError` (a `DatabaseError` when the
disk or the file fails) is shown like a refused write, and the slot stops there. `install_excepthook()` shows any
other exception escaping a slot in a message box with its traceback under "Show Details…" (and still prints it).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from models.errors import TagdeskError

READ_FAILED = "Could not read the project"
_open_boxes: set[QMessageBox] = set()  # a parentless dialog lives while Python holds it


class ReadFailed:
    """What `read_errors` yields: `.failed` is True once the read raised (and was reported)."""

    failed = False


@contextmanager
def read_errors(notify: Callable[[str], None]) -> Iterator[ReadFailed]:
    """Run a database read; a TagdeskError is passed to `notify` as one message instead of escaping the slot."""
    outcome = ReadFailed()
    try:
        yield outcome
    except TagdeskError as exc:
        outcome.failed = True
        notify(f"{READ_FAILED}: {exc}")


def error_box(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> QMessageBox:
    """A non-blocking dialog for an exception that escaped a slot (the traceback is in the details)."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Tagdesk: unexpected error",
        "",
        QMessageBox.StandardButton.Ok,
        QApplication.activeWindow(),
    )
    box.setObjectName("unexpectedError")
    if isinstance(exc, TagdeskError):
        box.setText(str(exc))
    else:
        box.setText(f"Something went wrong: {exc_type.__name__}: {exc}")
        box.setInformativeText(
            "Every decision made so far is saved. If this happens again, report it with the details below."
        )
    box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    _open_boxes.add(box)
    box.finished.connect(lambda _result: _open_boxes.discard(box))
    box.show()
    return box


def install_excepthook() -> None:
    """Show exceptions that escape Qt slots in a dialog (they are still printed to stderr)."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        with contextlib.suppress(Exception):  # a failing previous hook must not hide the dialog
            previous(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt) or QApplication.instance() is None:
            return
        with contextlib.suppress(Exception):  # the hook must never raise; the traceback is already printed
            error_box(exc_type, exc, tb)

    sys.excepthook = hook
