"""Pre-annotate a project's documents with a suggester, in committed batches (interrupt-safe, resumable)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .. import store
from ..project import Project
from .base import SpanDict, Suggester


def _texts(project: Project, ids: list[int], chunk: int) -> Iterator[str]:
    """The documents' texts in `ids` order, read in short read sessions of `chunk` documents."""
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        with project.session() as session:
            texts = store.document_texts(part, session=session)
        for doc_id in part:
            yield texts[doc_id]


def suggest_documents(
    project: Project,
    suggester: Suggester,
    *,
    document_ids: Sequence[int] | None = None,
    batch_size: int = 64,
    n_process: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    scores: bool = False,
) -> int:
    """Store `suggester`'s suggestions for every document lacking them under `suggester.key`.

    Without `document_ids`, every document lacking them, in project order; with `document_ids`, only those, in that
    order (those already cached are skipped), e.g. the document on screen, then chunks of the rest. Results are
    committed every `batch_size` documents in their own write session, so an interruption (cancel, Ctrl-C, crash)
    keeps finished batches and a rerun resumes.
    `on_progress(done, total)` is called after each commit (and once with 0 at the start); `should_stop()` is
    checked after every document: when true, what is finished is stored and the run ends.
    With `scores`, each model span gets its probability and each document its uncertainty (the beam search:
    about 3.3x the time of suggestions alone on news articles with en_core_web_sm), and documents whose cached
    suggestions have no probabilities yet are done too: the same spans, now with scores, under the same key.
    Returns the number of documents whose suggestions were stored.
    """
    batch_size = max(1, int(batch_size))
    with project.session() as session:
        ids = store.documents_lacking_suggestions(
            suggester.key,
            session=session,
            first=document_ids or (),
            only_first=document_ids is not None,
            scored=scores,
        )
    total = len(ids)
    done = 0
    if on_progress:
        on_progress(0, total)
    if not ids or (should_stop and should_stop()):
        return 0
    buffer: list[tuple[int, list[SpanDict]]] = []
    uncertain: list[float | None] = []

    def flush() -> None:
        nonlocal done
        if not buffer:
            return
        with project.writing() as session:
            store.store_suggestions_bulk(
                buffer, suggester.key, session=session, uncertainty=uncertain if scores else None
            )
            session.commit()
        done += len(buffer)
        buffer.clear()
        uncertain.clear()
        if on_progress:
            on_progress(done, total)

    texts = _texts(project, ids, batch_size)
    inner: Iterator[Any]
    if scores:
        inner = suggester.suggest_scored(texts, batch_size=batch_size)
        results: Iterator[tuple[list[SpanDict], float | None]] = inner
    else:
        inner = suggester.suggest(texts, batch_size=batch_size, n_process=n_process)
        results = ((spans, None) for spans in inner)
    try:
        for doc_id, (spans, unc) in zip(ids, results, strict=False):  # a stopped run yields fewer
            buffer.append((doc_id, spans))
            uncertain.append(unc)
            if len(buffer) >= batch_size:
                flush()
            if should_stop and should_stop():
                break
    finally:
        close = getattr(inner, "close", None)
        if close:
            close()  # stops spaCy's worker processes when ending early
        flush()
    return done
