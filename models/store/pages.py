"""Keyset pages of documents in project order, (position, id): no OFFSET scan, no row missed or read twice
when positions repeat."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, tuple_

from ..db.tables import DOCUMENT

Key = tuple[int, int]


def document_pages(
    conn: Connection, stmt: Select[*tuple[Any, ...]], batch: int
) -> Iterator[tuple[Sequence[Row[Any]], ColumnElement[bool]]]:
    """`stmt` (it selects the document's position and id as "position" and "id") in pages of `batch` rows in
    project order. Yields each page's rows and a condition on the document table that holds exactly for the
    documents from the page's first to its last key (with those `stmt` leaves out): other queries read a page's
    annotations and spans with it, by a range on the position index instead of a list of ids."""
    key = tuple_(DOCUMENT.c.position, DOCUMENT.c.id)
    ordered = stmt.order_by(DOCUMENT.c.position, DOCUMENT.c.id).limit(batch)
    last: Key | None = None
    while True:
        rows = conn.execute(ordered if last is None else ordered.where(key > tuple_(*last))).all()
        if not rows:
            return
        end = (rows[-1].position, rows[-1].id)
        upto = key <= tuple_(*end)
        yield rows, upto if last is None else and_(key > tuple_(*last), upto)
        last = end
