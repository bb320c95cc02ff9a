"""What the window tells the annotator about the flow of work (status-bar notices), in one place."""

from __future__ import annotations

from models.queue import NextDocument
from models.store import ListFilters

from .errors import READ_FAILED

__all__ = ["READ_FAILED"]

SAVING = "Saving…"
WAITING_SHORT = "Waiting for suggestions…"
CHANGED_ELSEWHERE = (
    "This document was changed in another window: it is shown as saved there now. "
    "Make your change again if it is still needed."
)
GESTURE_DROPPED = "Not applied: another document came on screen while saving; make that change again"
WAITING_FOR_SUGGESTIONS = (
    "Waiting for this document's suggestions before accepting it (the model is still working; Esc stops waiting)"
)
STOPPED_WAITING = "Not accepted: stopped waiting for the suggestions"
RELOADED = "Reloaded: the list and the counters show every change saved so far"


def suggestions_arrived(count: int, dropped: int) -> str:
    text = (
        f"Not accepted yet: {count} suggestion{'s' if count != 1 else ''} arrived while you waited; "
        "check them, then press A again"
    )
    return with_dropped(text, dropped)


def with_dropped(text: str, dropped: int) -> str:
    """A message about a write that did not happen, saying how many actions typed after it were not applied."""
    if not dropped:
        return text
    return f"{text} ({dropped} key{'s' if dropped != 1 else ''} pressed meanwhile not applied)"


def nothing_left(filters: ListFilters) -> str:
    """No document in the list is left to do (the queue found none)."""
    if filters.to_do == "pending":
        where = "in this list" if (filters.label or filters.search) else "in this project"
        return f"That was the last pending document {where}: every document here is decided"
    return f"That was the last {filters.to_do} document in this list"


NOTHING_TO_REVIEW = "No document left to review: every difference between annotators has a gold decision"
NOTHING_LEFT_SHARED = (
    "Nothing left for you now: every other document is done by enough annotators or being annotated by others "
    "(their claims free up if they stop)"
)


def moved_on(step: NextDocument) -> str:
    """Said when the queue went back to the top of the list; nothing otherwise."""
    return "Back to the top: the documents below are done" if step.wrapped else ""


def others_changed(document_id: int) -> str:
    return f"Document {document_id} was changed in another window: it is shown as saved there"
