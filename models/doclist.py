"""The document list without a screen: the rows loaded so far under a set of filters, read a page at a time.

A 100,000-document project never loads 100,000 texts: a row holds the id, the place, a preview and the
annotator's status. Pages are read by key (the rows after the last one loaded, `models.store.listing`), so
deciding documents under a status filter neither skips rows nor repeats them, and a page that comes back short
ends the list. The window's table model (`desktop/widgets/document_list.py`) is a thin adapter over
`DocumentListing`; `read_page` is what it runs on a worker thread when the filters change or others' changes
arrive (it opens its own session).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import store
from .project import Project
from .store.listing import NO_FILTERS, DocumentRow, Key, ListFilters

PAGE = 200


@dataclass
class ListPage:
    """Rows read from the top of the list under `filters`, and how many documents the filters show in all."""

    filters: ListFilters
    total: int
    rows: list[DocumentRow] = field(default_factory=list)
    exhausted: bool = False  # the last row of the list is among `rows`


def read_page(
    project: Project,
    filters: ListFilters,
    *,
    reach: int | None = None,
    through: Key | None = None,
    keep: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    annotator: str | None = None,
) -> ListPage:
    """The count under `filters`, then the rows from the top through the document `reach` (if the filters show
    it) and through the key `through` (the rows a list had loaded, when it is read again), and at least a page.

    `keep` is listed whatever the filters say (the document on screen, which a refresh must not drop because
    it was just decided under a status filter). Statuses are `annotator`'s (default the project's; review: the
    gold annotation's)."""
    annotator = annotator or project.annotator
    with project.session() as s:
        total = store.count_documents(session=s, annotator=annotator, filters=filters)
        if should_stop():
            return ListPage(filters, total)
        target = through
        if reach is not None:
            key = store.listed_key(reach, session=s, annotator=annotator, filters=filters)
            if key is None and reach == keep:
                key = store.listed_key(reach, session=s, annotator=annotator, filters=filters.unfiltered())
            if key is not None and (target is None or key > target):
                target = key
        rows: list[DocumentRow] = []
        if target is not None:
            rows = store.document_rows(
                session=s, annotator=annotator, filters=filters, through=target, limit=None, keep=keep
            )
        exhausted = False
        if len(rows) < PAGE:
            want = PAGE - len(rows)
            more = store.document_rows(
                session=s,
                annotator=annotator,
                filters=filters,
                after=rows[-1].key if rows else None,
                limit=want,
                keep=keep,
            )
            rows.extend(more)
            exhausted = len(more) < want
    return ListPage(filters, total, rows, exhausted)


class DocumentListing:
    """The rows a document list has loaded, in the list's order (`ListFilters.order`), and how to read more.

    Reads run on the calling thread, one short session each; the caller appends what they return (a Qt model
    announces the new rows first)."""

    def __init__(self, project: Project, annotator: str | None = None) -> None:
        self.project = project
        self.annotator = annotator or project.annotator  # whose statuses the rows show
        self.filters: ListFilters = NO_FILTERS
        self.total = 0
        self.exhausted = False
        self.rows: list[DocumentRow] = []
        self._index: dict[int, int] = {}

    def replace(self, page: ListPage) -> None:
        self.filters = page.filters
        self.total = page.total
        self.exhausted = page.exhausted
        self.rows = list(page.rows)
        self._index = {r.id: i for i, r in enumerate(self.rows)}

    def row_of(self, document_id: int) -> int | None:
        return self._index.get(document_id)

    @property
    def last_key(self) -> Key | None:
        return self.rows[-1].key if self.rows else None

    def read_more(self, count: int = PAGE) -> list[DocumentRow]:
        """The next `count` rows after the last one loaded (not appended yet); a short read ends the list."""
        if self.exhausted:
            return []
        with self.project.session() as s:
            more = store.document_rows(
                session=s, annotator=self.annotator, filters=self.filters, after=self.last_key, limit=count
            )
        if len(more) < count:
            self.exhausted = True
        return more

    def read_to(self, document_id: int) -> list[DocumentRow] | None:
        """The rows after the last one loaded through the document `document_id` (not appended yet), in one
        query; [] if it is loaded already, None if the filters hide it (or it is not in the project)."""
        if document_id in self._index:
            return []
        with self.project.session() as s:
            key = store.listed_key(document_id, session=s, annotator=self.annotator, filters=self.filters)
            if key is None:
                return None
            last = self.last_key
            if last is not None and key < last:  # listed but not loaded: only a refresh that is still coming
                return None
            return store.document_rows(
                session=s,
                annotator=self.annotator,
                filters=self.filters,
                after=last,
                through=key,
                limit=None,
            )

    def append(self, rows: list[DocumentRow]) -> None:
        first = len(self.rows)
        self.rows.extend(rows)
        self._index.update({r.id: first + i for i, r in enumerate(rows)})

    def set_status(self, document_id: int, status: str) -> int | None:
        """Show a document's new status in its row (it stays listed until the list is read again); its row."""
        i = self._index.get(document_id)
        if i is not None:
            self.rows[i] = replace(self.rows[i], status=status)
        return i
