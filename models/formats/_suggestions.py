"""Export the model's pending suggestions: Prodigy-style JSONL tasks (like `ner.teach` data), one per pending
document with cached suggestions, each span with its `score` (the model's probability; None for patterns and for
suggestions not scored yet) and the document's uncertainty in `meta`. Written under a temporary name and renamed
at the end, like every export.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import TagdeskError
from ..project import Project
from ..store import pending_suggestions
from ._tokens import blank, pipeline_language
from .jsonl import input_hash, task_hash


def export_suggestions(project: Project, out: Path, *, model_key: str, annotator: str | None = None) -> tuple[int, int]:
    """Write the pending documents' suggestions for `model_key` to `out`; (documents, spans)."""
    nlp = blank(pipeline_language(project.config.model.pipeline, project.folder))
    tmp = out.with_name(f".{out.name}.tagdesk-tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = spans = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh, project.session() as s:
            for _doc_id, text, meta, suggested, unc in pending_suggestions(
                model_key, session=s, annotator=annotator or project.annotator
            ):
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
