"""What the window tells the annotator about the flow of work (the status bar's notices), in one place."""

from __future__ import annotations

from models.queue import NextDocument
from models.store import ListFilters

SAVING = "Saving…"


def nothing_left(filters: ListFilters) -> str:
    """No document in the list is left to do (the queue found none)."""
    if filters.to_do == "pending":
        where = "in this list" if (filters.label or filters.search) else "in this project"
        return f"That was the last pending document {where}: every document here is decided"
    return f"That was the last {filters.to_do} document in this list"


def moved_on(step: NextDocument) -> str:
    """Said when the queue went back to the top of the list; nothing otherwise."""
    return "Back to the top: the documents below are done" if step.wrapped else ""
