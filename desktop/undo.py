"""One small QUndoCommand per edit. Its `forward()` and `backward()` each describe one `models.store` call (one
committed transaction with its event row) as a `Step`: `write`, run on the writer thread (`desktop/writer.py`) in
a short `project.writing()` session, and `show`, run on the GUI thread once it is committed, which records the
version the write returned and tells the session what changed.

The session runs the steps and moves the undo stack only after a step committed; `redo()` and `undo()`, which
QUndoStack calls as it moves, therefore do nothing themselves. A first step the store refuses (an overlap)
never enters the stack; an undo or redo refused later (another window changed the document) makes the command
obsolete, and the stack drops it.

Spans are named by (document, start, end), not by row id: NER spans never overlap, and undo/redo re-creates rows
with new ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from operator import add as concat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand
from sqlmodel import Session

from models import store
from models.db.tables import Origin, Status
from models.errors import TagdeskError

from .document_state import Item

if TYPE_CHECKING:
    from .session import AnnotationSession

_fields = itemgetter(0, 1, 2, 3, 4)  # an Item's (start, end, label, origin, score): the store's span tuple
_bounds = itemgetter(0, 1)
_new = tuple.__new__


def stored_copies(items: list[Item]) -> list[Item]:
    """`items` as stored spans (pending False), made with C-level maps (no Python call per item: ~25% cheaper than
    a comprehension; it runs on the writer thread anyway, see `SetStatus`)."""
    return list(map(_new, repeat(Item), map(concat, map(_fields, items), repeat((False,)))))


@dataclass(frozen=True)
class Step:
    """One store call of a command: `write()` commits it (any thread, no Qt), `show(result)` shows it (GUI)."""

    write: Callable[[], Any]
    show: Callable[[Any], None]


class Command(QUndoCommand):
    def __init__(self, session: AnnotationSession, document_id: int | None, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.document_id = document_id  # the document it edits; None: it edits the project (its labels)

    # subclasses describe these two with store calls
    def forward(self) -> Step:
        raise NotImplementedError

    def backward(self) -> Step:
        raise NotImplementedError

    def redo(self) -> None:
        """Nothing: the session wrote the forward step before the stack moved (see the module's note)."""

    def undo(self) -> None:
        """Nothing: the session wrote the backward step before the stack moved."""


class DocumentCommand(Command):
    """An edit of one document's annotation."""

    document_id: int

    def __init__(self, session: AnnotationSession, document_id: int, text: str) -> None:
        super().__init__(session, document_id, text)

    def _step(self, write: Callable[[Session, dict[str, Any]], Any], show: Callable[[Any], None]) -> Step:
        """A step writing `write(session, who)` in one write session; `who` is read now, on the GUI thread: whose
        edit, and the version of the document this window last saw (if another window changed it since, the store
        refuses with StaleAnnotationError instead of overwriting that change)."""
        project, doc = self.session.project, self.document_id
        who = {"annotator": self.session.annotator, "expected_version": self.session.versions.get(doc)}

        def work() -> Any:
            with project.writing() as s:
                return write(s, who)

        def shown(result: Any) -> None:
            written = result[0] if isinstance(result, tuple) else result
            # the version this edit wrote, returned by the store call itself: reading it again after the commit
            # could pick up another process's change that this window never showed
            self.session.versions[doc] = written.version
            show(result)

        return Step(work, shown)

    # steps shared by the span commands
    def _add(self, item: Item, undismiss: list[tuple[int, int, str]] | None = None) -> Step:
        doc = self.document_id
        stored = Item(item.start, item.end, item.label, item.origin, item.score)

        def write(s: Session, who: dict[str, Any]) -> store.Written:
            return store.add_span(
                doc,
                item.start,
                item.end,
                item.label,
                session=s,
                origin=item.origin,
                score=item.score,
                undismiss=undismiss or (),
                **who,
            )

        def show(_written: store.Written) -> None:
            self.session.span_added(doc, stored)
            for start, end, label in undismiss or ():
                self.session.suggestion_dismissed(doc, Item(start, end, label), False)

        return self._step(write, show)

    def _remove(self, item: Item, dismiss: list[tuple[int, int, str]] | None = None) -> Step:
        doc = self.document_id

        def write(s: Session, who: dict[str, Any]) -> store.Written:
            span = _span(s, doc, item, who["annotator"])
            return store.remove_span(span.id, session=s, dismiss=dismiss or (), **who)

        def show(_written: store.Written) -> None:
            for start, end, label in dismiss or ():
                self.session.suggestion_dismissed(doc, Item(start, end, label), True)
            self.session.span_removed(doc, item.start, item.end)

        return self._step(write, show)

    def _change(self, before: Item, after: Item) -> Step:
        doc = self.document_id

        def write(s: Session, who: dict[str, Any]) -> store.Written:
            span = _span(s, doc, before, who["annotator"])
            return store.update_span(span.id, session=s, start=after.start, end=after.end, label=after.label, **who)

        return self._step(write, lambda _written: self.session.span_changed(doc, before, after))


def _span(s: Session, document_id: int, item: Item, annotator: str) -> Any:
    span = store.span_at(document_id, item.start, item.end, session=s, annotator=annotator)
    if span is None:
        raise TagdeskError(f"the span at {item.start}-{item.end} is gone (changed in another window?)")
    return span


class AddSpan(DocumentCommand):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, text: str = "") -> None:
        super().__init__(session, document_id, text or f"Add {item.label}")
        self.item = item

    def forward(self) -> Step:
        return self._add(self.item)

    def backward(self) -> Step:
        return self._remove(self.item)


class AcceptSuggestion(AddSpan):
    """Enter on a pending suggestion (or relabel/resize it): it becomes a span; its origin stays the model's
    unless the annotator changed its label or its bounds."""

    def __init__(
        self,
        session: AnnotationSession,
        document_id: int,
        suggestion: Item,
        *,
        label: str | None = None,
        bounds: tuple[int, int] | None = None,
    ) -> None:
        start, end = bounds or (suggestion.start, suggestion.end)
        edited = (label not in (None, suggestion.label)) or (start, end) != (suggestion.start, suggestion.end)
        kept = session.accepted(suggestion)
        item = Item(
            start,
            end,
            label or suggestion.label,
            Origin.human.value if edited else kept.origin,
            None if edited else kept.score,
        )
        super().__init__(session, document_id, item, text=f"Accept {item.label} suggestion")


class RemoveSpan(DocumentCommand):
    """Delete on a span: it goes, and so do the suggestions it hid (accepted then deleted, or relabelled or resized
    then deleted), dismissed in the same transaction so they do not come back."""

    def __init__(self, session: AnnotationSession, document_id: int, item: Item) -> None:
        super().__init__(session, document_id, f"Remove {item.label}")
        self.item = item
        state = session.state
        self.hidden = (
            state.hidden_suggestions(item.start, item.end) if state and state.document_id == document_id else []
        )

    def forward(self) -> Step:
        return self._remove(self.item, dismiss=self.hidden)

    def backward(self) -> Step:
        return self._add(self.item, undismiss=self.hidden)


class ChangeSpan(DocumentCommand):
    def __init__(self, session: AnnotationSession, document_id: int, before: Item, after: Item, text: str) -> None:
        super().__init__(session, document_id, text)
        self.before = Item(before.start, before.end, before.label, before.origin, before.score)
        self.after = Item(after.start, after.end, after.label, after.origin, after.score)

    def forward(self) -> Step:
        return self._change(self.before, self.after)

    def backward(self) -> Step:
        return self._change(self.after, self.before)


class RelabelSpan(ChangeSpan):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, *, label: str) -> None:
        after = Item(item.start, item.end, label, item.origin, item.score)
        super().__init__(session, document_id, item, after, f"Relabel {item.label} as {label}")


class ResizeSpan(ChangeSpan):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, *, bounds: tuple[int, int]) -> None:
        after = Item(bounds[0], bounds[1], item.label, item.origin, item.score)
        super().__init__(session, document_id, item, after, f"Resize {item.label}")


class DismissSuggestion(DocumentCommand):
    """Delete on a pending suggestion: remembered, so the same suggestion is not shown again."""

    def __init__(self, session: AnnotationSession, document_id: int, item: Item) -> None:
        super().__init__(session, document_id, f"Reject {item.label} suggestion")
        self.item = item

    def forward(self) -> Step:
        return self._dismiss(True)

    def backward(self) -> Step:
        return self._dismiss(False)

    def _dismiss(self, dismiss: bool) -> Step:
        doc, item = self.document_id, self.item
        fn = store.dismiss_suggestion if dismiss else store.restore_suggestion

        def write(s: Session, who: dict[str, Any]) -> store.Written:
            return fn(doc, item.start, item.end, item.label, session=s, **who)

        return self._step(write, lambda _written: self.session.suggestion_dismissed(doc, item, dismiss))


class SetStatus(DocumentCommand):
    """A decision on a document (accept adds the pending suggestions as spans in the same transaction)."""

    def __init__(
        self,
        session: AnnotationSession,
        document_id: int,
        status: str,
        *,
        add: list[Item] | None = None,
        seconds: float = 0.0,
        text: str = "",
    ) -> None:
        super().__init__(session, document_id, text or f"{Status(status).value.capitalize()} document")
        self.status = Status(status).value
        # the spans it adds, as stored spans (pending False): made on the writer thread as the forward step is
        # written, not on the key press (copying the 8,333 suggestions of a 1 MB article took 10-15 ms there)
        self._given = list(add or ())
        self._stored: list[Item] | None = None if self._given else []
        self.seconds = seconds
        self.before: str | None = None

    @property
    def add(self) -> list[Item]:
        if self._stored is None:
            self._stored = stored_copies(self._given)
        return self._stored

    def forward(self) -> Step:
        doc, status, seconds = self.document_id, self.status, self.seconds
        given, made = self._given, self._stored

        def write(s: Session, who: dict[str, Any]) -> tuple[store.Written, str, list[Item]]:
            ann = store.get_annotation(doc, session=s, annotator=who["annotator"])
            before = ann.status if ann else Status.pending.value
            add = made if made is not None else stored_copies(given)  # here, off the GUI thread
            spans = list(map(_fields, add))
            return store.decide(doc, status, session=s, seconds=seconds, add_spans=spans, **who), before, add

        def show(result: tuple[store.Written, str, list[Item]]) -> None:
            self.before = result[1]
            if self._stored is None:
                self._stored = result[2]
            self.seconds = 0.0  # the time was spent once: a redo after an undo adds none
            self.session.status_set(doc, status, added=self.add, removed=[])

        return self._step(write, show)

    def backward(self) -> Step:
        doc, before = self.document_id, self.before or Status.pending.value
        spans = list(map(_bounds, self.add))

        def write(s: Session, who: dict[str, Any]) -> store.Written:
            return store.decide(doc, before, session=s, remove_spans=spans, **who)

        return self._step(write, lambda _written: self.session.status_set(doc, before, added=[], removed=self.add))


class RenameLabel(Command):
    """Rename a label and every entity carrying it (one transaction in `models.labels`, with an event per
    annotation it touches); undo renames it back. Not tied to a document: the window shows the labels again (and
    reloads the document on screen, whose version moved) after either."""

    def __init__(self, session: AnnotationSession, old: str, new: str) -> None:
        super().__init__(session, None, f"Rename label {old} to {new}")
        self.old, self.new = old, new
        self.count = 0

    def forward(self) -> Step:
        return self._rename(self.old, self.new)

    def backward(self) -> Step:
        return self._rename(self.new, self.old)

    def _rename(self, old: str, new: str) -> Step:
        from models.labels import rename_label

        project = self.session.project

        def show(count: int) -> None:
            self.count = count
            self.session.labels_changed.emit()

        return Step(lambda: rename_label(project, old, new), show)
