"""One small QUndoCommand per edit. `redo` and `undo` each call one `models.store` function (one committed
transaction with its event row, in a short `project.writing()` session) and then tell the session what changed.

Spans are named by (document, start, end), not by row id: NER spans never overlap, and undo/redo re-creates rows
with new ids. A command's first run happens before it is pushed (`run`), so a refused edit (an overlap) raises to
the caller and never enters the stack; a later redo/undo that fails (another window changed the document) reports
the message and makes the command obsolete.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from models import store
from models.db.tables import Origin, Status
from models.errors import StaleAnnotationError, TagdeskError

from .document_state import Item

if TYPE_CHECKING:
    from .session import AnnotationSession


class Command(QUndoCommand):
    def __init__(self, session: AnnotationSession, document_id: int, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.document_id = document_id
        self._skip_redo = False

    # subclasses implement these two with store calls
    def forward(self) -> None:
        raise NotImplementedError

    def backward(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        """The first redo, before `QUndoStack.push`: raises TagdeskError when the store refuses."""
        self.forward()
        self._skip_redo = True

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._guard(self.forward)

    def undo(self) -> None:
        self._guard(self.backward)

    def _guard(self, fn) -> None:
        try:
            fn()
        except TagdeskError as exc:
            if isinstance(exc, StaleAnnotationError) and self.session.document_id == self.document_id:
                self.session.reload_document()  # show what the other window saved
            self.session.message.emit(f"Cannot {self.text().lower()}: {exc}")
            self.setObsolete(True)

    @property
    def _who(self) -> dict:
        """Whose edit, and the version of the document this window last saw: if another window changed it
        since, the store refuses (StaleAnnotationError) instead of overwriting that change."""
        return {"annotator": self.session.annotator, "expected_version": self.session.versions.get(self.document_id)}

    @contextmanager
    def _writing(self):
        """A write session for one store call; pass what the call returns to `_wrote`."""
        with self.session.project.writing() as s:
            yield s

    def _wrote(self, written: store.Written) -> None:
        """Record the version this window's own edit wrote as the one it has seen. (Reading it again after the
        commit could return a newer version another process wrote meanwhile, which this window never showed: its
        next edit would then overwrite that change blind.)"""
        self.session.versions[self.document_id] = written.version

    # helpers shared by the span commands
    def _add(self, item: Item) -> Item:
        with self._writing() as s:
            self._wrote(
                store.add_span(
                    self.document_id,
                    item.start,
                    item.end,
                    item.label,
                    session=s,
                    origin=item.origin,
                    score=item.score,
                    **self._who,
                )
            )
        stored = Item(item.start, item.end, item.label, item.origin, item.score)
        self.session.span_added(self.document_id, stored)
        return stored

    def _span(self, s, item: Item):
        span = store.span_at(self.document_id, item.start, item.end, session=s, annotator=self.session.annotator)
        if span is None:
            raise TagdeskError(f"the span at {item.start}-{item.end} is gone (changed in another window?)")
        return span

    def _remove(self, item: Item) -> None:
        with self._writing() as s:
            self._wrote(store.remove_span(self._span(s, item).id, session=s, **self._who))
        self.session.span_removed(self.document_id, item.start, item.end)

    def _change(self, before: Item, after: Item) -> None:
        with self._writing() as s:
            span = self._span(s, before)
            self._wrote(
                store.update_span(span.id, session=s, start=after.start, end=after.end, label=after.label, **self._who)
            )
        self.session.span_changed(self.document_id, before, after)


class AddSpan(Command):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, text: str = "") -> None:
        super().__init__(session, document_id, text or f"Add {item.label}")
        self.item = item

    def forward(self) -> None:
        self._add(self.item)

    def backward(self) -> None:
        self._remove(self.item)


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
        item = Item(
            start,
            end,
            label or suggestion.label,
            Origin.human.value if edited else suggestion.origin,
            None if edited else suggestion.score,
        )
        super().__init__(session, document_id, item, text=f"Accept {item.label} suggestion")


class RemoveSpan(Command):
    """Delete on a span: it goes, and so do the suggestions it hid (accepted then deleted, or relabelled or resized
    then deleted), dismissed in the same transaction so they do not come back."""

    def __init__(self, session: AnnotationSession, document_id: int, item: Item) -> None:
        super().__init__(session, document_id, f"Remove {item.label}")
        self.item = item
        state = session.state
        self.hidden = (
            state.hidden_suggestions(item.start, item.end) if state and state.document_id == document_id else []
        )

    def forward(self) -> None:
        with self._writing() as s:
            span = self._span(s, self.item)
            self._wrote(store.remove_span(span.id, session=s, dismiss=self.hidden, **self._who))
        for start, end, label in self.hidden:
            self.session.suggestion_dismissed(self.document_id, Item(start, end, label), True)
        self.session.span_removed(self.document_id, self.item.start, self.item.end)

    def backward(self) -> None:
        item = self.item
        with self._writing() as s:
            self._wrote(
                store.add_span(
                    self.document_id,
                    item.start,
                    item.end,
                    item.label,
                    session=s,
                    origin=item.origin,
                    score=item.score,
                    undismiss=self.hidden,
                    **self._who,
                )
            )
        self.session.span_added(self.document_id, Item(item.start, item.end, item.label, item.origin, item.score))
        for start, end, label in self.hidden:
            self.session.suggestion_dismissed(self.document_id, Item(start, end, label), False)


class ChangeSpan(Command):
    def __init__(self, session: AnnotationSession, document_id: int, before: Item, after: Item, text: str) -> None:
        super().__init__(session, document_id, text)
        self.before = Item(before.start, before.end, before.label, before.origin, before.score)
        self.after = Item(after.start, after.end, after.label, after.origin, after.score)

    def forward(self) -> None:
        self._change(self.before, self.after)

    def backward(self) -> None:
        self._change(self.after, self.before)


class RelabelSpan(ChangeSpan):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, *, label: str) -> None:
        after = Item(item.start, item.end, label, item.origin, item.score)
        super().__init__(session, document_id, item, after, f"Relabel {item.label} as {label}")


class ResizeSpan(ChangeSpan):
    def __init__(self, session: AnnotationSession, document_id: int, item: Item, *, bounds: tuple[int, int]) -> None:
        after = Item(bounds[0], bounds[1], item.label, item.origin, item.score)
        super().__init__(session, document_id, item, after, f"Resize {item.label}")


class DismissSuggestion(Command):
    """Delete on a pending suggestion: remembered, so the same suggestion is not shown again."""

    def __init__(self, session: AnnotationSession, document_id: int, item: Item) -> None:
        super().__init__(session, document_id, f"Reject {item.label} suggestion")
        self.item = item

    def forward(self) -> None:
        _dismiss(self, self.item, True)

    def backward(self) -> None:
        _dismiss(self, self.item, False)


def _dismiss(cmd: Command, item: Item, dismiss: bool) -> None:
    fn = store.dismiss_suggestion if dismiss else store.restore_suggestion
    with cmd._writing() as s:
        cmd._wrote(fn(cmd.document_id, item.start, item.end, item.label, session=s, **cmd._who))
    cmd.session.suggestion_dismissed(cmd.document_id, item, dismiss)


class SetStatus(Command):
    """A decision on a document (accept adds the pending suggestions as spans in the same transaction)."""

    def __init__(
        self,
        session: AnnotationSession,
        document_id: int,
        status: str,
        *,
        add: list[Item] = (),
        seconds: float = 0.0,
        text: str = "",
    ) -> None:
        super().__init__(session, document_id, text or f"{Status(status).value.capitalize()} document")
        self.status = Status(status).value
        self.add = [Item(i.start, i.end, i.label, i.origin, i.score) for i in add]
        self.seconds = seconds
        self.before: str | None = None

    def forward(self) -> None:
        with self._writing() as s:
            ann = store.get_annotation(self.document_id, session=s, annotator=self.session.annotator)
            self.before = ann.status if ann else Status.pending.value
            self._wrote(
                store.decide(
                    self.document_id,
                    self.status,
                    session=s,
                    seconds=self.seconds,
                    **self._who,
                    add_spans=[(i.start, i.end, i.label, i.origin, i.score) for i in self.add],
                )
            )
        self.seconds = 0.0  # the time was spent once: a redo after an undo adds none
        self.session.status_set(self.document_id, self.status, added=self.add, removed=[])

    def backward(self) -> None:
        with self._writing() as s:
            self._wrote(
                store.decide(
                    self.document_id,
                    self.before or Status.pending.value,
                    session=s,
                    **self._who,
                    remove_spans=[(i.start, i.end) for i in self.add],
                )
            )
        self.session.status_set(self.document_id, self.before or Status.pending.value, added=[], removed=self.add)


class RenameLabel(QUndoCommand):
    """Rename a label and every entity carrying it (one transaction in `models.labels`); undo renames it back.
    Not tied to a document: the window shows the labels again after either."""

    def __init__(self, session: AnnotationSession, old: str, new: str) -> None:
        super().__init__(f"Rename label {old} to {new}")
        self.session = session
        self.old, self.new = old, new
        self._skip_redo = False
        self.count = 0

    def run(self) -> None:
        self.count = self._rename(self.old, self.new)
        self._skip_redo = True

    def _rename(self, old: str, new: str) -> int:
        from models.labels import rename_label

        count = rename_label(self.session.project, old, new)
        self.session.labels_changed.emit()
        return count

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._guard(self.old, self.new)

    def undo(self) -> None:
        self._guard(self.new, self.old)

    def _guard(self, old: str, new: str) -> None:
        try:
            self._rename(old, new)
        except TagdeskError as exc:
            self.session.message.emit(f"Cannot rename {old} to {new}: {exc}")
            self.setObsolete(True)
