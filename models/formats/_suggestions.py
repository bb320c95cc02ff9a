"""Export the model's pending suggestions: Prodigy-style JSONL tasks (like `ner.teach` data), one per pending
document with cached suggestions, each span with its `score` (the model's probability; None for patterns and for
suggestions not scored yet) and the document's uncertainty in `meta`. Written under a temporary name and renamed
at the end, like every export.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import TagdeskError
from ..project import Project
from ..store import pending_suggestions
from ._tokens import blank, pipeline_language
from .jsonl import input_hash, task_hash


@dataclass(frozen=True)
class SuggestionsExport:
    path: Path
    documents: int
    spans: int


def export_pending_suggestions(
    project: Project,
    out: Path | None = None,
    *,
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SuggestionsExport:
    """`tagdesk export --format jsonl --suggestions` and the window's Export of suggestions: the pending
    documents' suggestions under the project's current model key, to `out` (a file, or a folder for
    suggestions.jsonl; default DIR/exports/suggestions.jsonl)."""
    from ..suggest import model_key

    out = Path(out) if out else project.folder / "exports" / "suggestions.jsonl"
    if out.is_dir():
        out = out / "suggestions.jsonl"
    docs, spans = export_suggestions(
        project,
        out,
        model_key=model_key(project),
        annotator=annotator,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    return SuggestionsExport(out, docs, spans)


def export_suggestions(
    project: Project,
    out: Path,
    *,
    model_key: str,
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[int, int]:
    """Write the pending documents' suggestions for `model_key` to `out`; (documents, spans). `on_progress`
    gets (documents written, 0); `should_stop` ends it with nothing written."""
    nlp = blank(pipeline_language(project.config.model.pipeline, project.folder))
    tmp = out.with_name(f".{out.name}.tagdesk-tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = spans = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh, project.session() as s:
            for _doc_id, text, meta, suggested, unc in pending_suggestions(
                model_key, session=s, annotator=annotator or project.annotator
            ):
                if should_stop and should_stop():
                    raise TagdeskError("export cancelled; nothing was written")
                doc = nlp.make_doc(text)
                tokens = [
                    {"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i, "ws": bool(t.whitespace_)}
                    for t in doc
                ]
                out_spans = []
                for sp in suggested:
                    span = doc.char_span(sp["start"], sp["end"], alignment_mode="expand")
                    item = {"start": sp["start"], "end": sp["end"], "label": sp["label"], "score": sp.get("score")}
                    item["source"] = sp.get("origin", "model")
                    if span is not None:
                        item["token_start"], item["token_end"] = span.start, span.end - 1
                    out_spans.append(item)
                ih = input_hash(text)
                task = {
                    "text": text,
                    "meta": {**meta, "uncertainty": unc, "model": model_key},
                    "_input_hash": ih,
                    "_task_hash": task_hash(ih, [(x["start"], x["end"], x["label"]) for x in out_spans]),
                    "tokens": tokens,
                    "spans": out_spans,
                }
                fh.write(json.dumps(task, ensure_ascii=False) + "\n")
                docs += 1
                spans += len(out_spans)
                if on_progress and docs % 200 == 0:
                    on_progress(docs, 0)
        if not docs:
            raise TagdeskError(
                f"no pending documents have suggestions for {model_key}; compute them with: tagdesk suggest "
                f"{project.folder}"
            )
        tmp.replace(out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return docs, spans
