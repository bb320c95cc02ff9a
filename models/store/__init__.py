"""The store: every read and write of the project database goes through this package.

Functions take `session=` (a SQLModel `Session` from `writing(engine)` or `reading(engine)`); SQL lives here and
nowhere else. One query style: SQLAlchemy Core statements over the tables (`models.db.tables.DOCUMENT`, ...),
run on `session.connection()`; reads that hand a row to a caller build a detached table object from it.

- `transactions`: `writing` (takes the write lock at BEGIN, so a writer never fails half-way with SQLITE_BUSY)
  and `reading`; database failures become `models.errors.DatabaseError` saying what to do.
- `annotations`: reading one annotator's annotation of a document (its row, spans, dismissals).
- `documents`: adding documents (an import run, Core bulk inserts), reading them, project order.
- `decisions`: one committed transaction per decision, with its event row and the annotation's new version.
- `events`: what each event's payload holds, and the replay that rebuilds annotations from the log.
- `imports`: import runs (chunks of bounded time, published at the end, dead ones removed); `published()`.
- `verify`: the event log's replay compared with the tables (`tagdesk check`).
- `suggestions`: the suggestion cache per (document, model key).
- `listing`: the document list's filtered, counted reads paged by key; the next document to do; the newest
  change (what a window polls to see others' work).
- `exports`: annotated documents in bulk for export.
- `resolved`: the team's annotation of each document (gold, else agreed; conflicts left out) for export.
- `members`: the team and its roles; the check each write makes against them.
- `compare`: several annotators' annotations of a document side by side (agreement, review).
- `stats`: counts for `tagdesk stats`.
- `queue`: pending documents most uncertain first (the queue's "uncertain" order).
- `training`: what training reads (accepted annotations of every annotator, rejections, undecided texts).
- `settings`: the settings a team shares (suggester, label mapping, overlap) and their change counter.
- `labels`: the project's labels; renaming or removing one changes the spans that carry it.
- `notes`: an annotator's comment and flag on a document.
"""

from __future__ import annotations

from . import events, imports
from .annotations import annotation_version, dismissals_of, get_annotation, span_at, span_tuples, spans_of
from .compare import Overlap, SideBySide, overlap_counts, side_by_side
from .decisions import (
    Written,
    add_span,
    decide,
    dismiss_suggestion,
    remove_span,
    restore_suggestion,
    set_status,
    update_span,
)
from .documents import (
    AddResult,
    NewDocument,
    add_documents,
    catch_up_search,
    check_span,
    document_count,
    document_ids,
    document_index,
    document_texts,
    document_tokens,
    get_document,
    text_hash,
    text_length,
)
from .exports import AnnotatedDocument, export_document_ids, export_plan, iter_annotated_documents
from .labels import LabelRow, LabelUsage, change_label, delete_label, insert_label, label_usage, move_label, read_labels
from .listing import (
    ANY_FLAG,
    NO_FILTERS,
    PREVIEW_CHARS,
    ChangeMark,
    DocumentRow,
    Key,
    ListFilters,
    changed_documents,
    count_documents,
    decided_since,
    document_key,
    document_rows,
    last_decision,
    listed_key,
    newest_change,
    next_to_do,
    project_events_since,
)
from .members import NotAllowedError, change_team, members, role_of
from .notes import FLAGS, DocumentNote, note_of, set_note
from .queue import uncertain_pending
from .resolved import count_conflicts
from .settings import SEEDED_FROM, has_labels, read_settings, seed_settings, set_setting, settings_revision
from .stats import activity, annotator_progress, annotators, stats
from .suggestions import (
    documents_lacking_suggestions,
    pending_suggestions,
    store_suggestions,
    store_suggestions_bulk,
    suggestions_for,
    uncertainty_of,
)
from .transactions import reading, writing

__all__ = [
    "ANY_FLAG",
    "FLAGS",
    "events",
    "imports",
    "NO_FILTERS",
    "PREVIEW_CHARS",
    "SEEDED_FROM",
    "DocumentNote",
    "LabelRow",
    "LabelUsage",
    "change_label",
    "delete_label",
    "has_labels",
    "insert_label",
    "label_usage",
    "move_label",
    "note_of",
    "read_labels",
    "read_settings",
    "seed_settings",
    "set_note",
    "set_setting",
    "settings_revision",
    "AddResult",
    "AnnotatedDocument",
    "ChangeMark",
    "DocumentRow",
    "Key",
    "ListFilters",
    "NewDocument",
    "NotAllowedError",
    "Overlap",
    "SideBySide",
    "activity",
    "add_documents",
    "annotator_progress",
    "annotators",
    "add_span",
    "annotation_version",
    "change_team",
    "changed_documents",
    "catch_up_search",
    "check_span",
    "count_conflicts",
    "count_documents",
    "decide",
    "decided_since",
    "dismiss_suggestion",
    "dismissals_of",
    "document_count",
    "document_ids",
    "document_index",
    "document_key",
    "document_rows",
    "document_texts",
    "document_tokens",
    "documents_lacking_suggestions",
    "export_document_ids",
    "export_plan",
    "get_annotation",
    "get_document",
    "iter_annotated_documents",
    "last_decision",
    "pending_suggestions",
    "members",
    "overlap_counts",
    "listed_key",
    "newest_change",
    "next_to_do",
    "project_events_since",
    "reading",
    "remove_span",
    "restore_suggestion",
    "role_of",
    "set_status",
    "side_by_side",
    "span_at",
    "span_tuples",
    "spans_of",
    "stats",
    "store_suggestions",
    "store_suggestions_bulk",
    "suggestions_for",
    "text_hash",
    "text_length",
    "uncertain_pending",
    "uncertainty_of",
    "update_span",
    "writing",
    "Written",
]
