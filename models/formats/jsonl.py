"""JSON lines: plain documents `{"text": ..., "meta": {...}}` and Prodigy-style tasks.

A task carries `tokens` ({text, start, end, id, ws}), `spans` ({start, end, label, token_start, token_end};
token_end is inclusive, as in Prodigy), `answer` (accept/reject/ignore -> accepted/rejected/ignored), `meta`,
`_input_hash` and `_task_hash`. A task without `answer` but with `spans` is a pre-annotation (pending).
Binary `ner.teach` data (an `answer` on each span) keeps the spans answered accept and leaves the document
pending; several tasks on one text are merged (the document keeps the accepted record's hashes and lists the
others' under "merged"). Every other top-level key, the hashes among them, is kept in meta["_prodigy"] and
written back at the top level, exactly; tokens are kept as the file gives them and written back the same.
A task's `_annotator_id` (else `_session_id`) says whose annotation it is ("ner_news-alice" for Prodigy's named
session "alice" of dataset "ner_news"); a session named after its start time ("2024-02-06_10-17-19", Prodigy's
default) names nobody, and the import's annotator takes it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from murmurhash import hash as murmur

from ..errors import ImportFileError
from ..store import NewDocument
from ..tokens import bounds, pack, problem
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._read import check_span_text, check_spans, json_line, short, text_problem
from ._stream import iter_lines

ANSWERS = {"accept": "accepted", "reject": "rejected", "ignore": "ignored"}
STATUS_ANSWER = {v: k for k, v in ANSWERS.items()}
TASK_KEYS = {"spans", "tokens", "answer", "relations"}
KEY = "_prodigy"  # meta key keeping a record's other top-level keys, its hashes among them
HASHES = ("_input_hash", "_task_hash")


# Prodigy names a session after its start time when no ?session= is given (alone, or after "dataset-").
_UNNAMED_SESSION = re.compile(r"(?:^|-)\d{4}-\d{2}-\d{2}(?:_\d{2}-\d{2}-\d{2})?$")


def task_annotator(obj: dict[str, Any]) -> str | None:
    """Whose answer a task is: its `_annotator_id` (else `_session_id`); None when neither names a person."""
    for key in ("_annotator_id", "_session_id"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return None if _UNNAMED_SESSION.search(value.strip()) else value.strip()
    return None


def iter_objects(path: Path, options: ReadOptions) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, dict) for each non-blank line, the file streamed; ImportFileError for a line that is not a
    JSON object."""
    for n, line in iter_lines(path, options.on_progress):
        if not line.strip():
            continue
        obj = json_line(path, n, line)
        if not isinstance(obj, dict):
            raise ImportFileError(path, n, f'expected a JSON object {{"text": ...}}, got {type(obj).__name__}')
        yield n, obj


def document_from(obj: dict[str, Any], n: int, path: Path, text_key: str) -> NewDocument:
    if text_key not in obj:
        # a key with a line break or another control character is shown quoted: the message stays one line
        keys = ", ".join(k if k.isprintable() else short(k, 30) for k in sorted(obj)[:8]) or "none"
        raise ImportFileError(path, n, f"no {text_key!r} key (keys here: {keys}); name the text key with --text-key")
    text = obj[text_key]
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, n, problem)
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise ImportFileError(path, n, f'"meta" must be an object, got {type(meta).__name__}')
    meta = dict(meta)
    kept = {k: v for k, v in obj.items() if k not in (text_key, "meta") and k not in TASK_KEYS}
    if kept:  # the record's own keys (hashes, _session_id, _view_id, ...): an export puts them back on top
        meta[KEY] = kept
    try:  # a lone surrogate in meta would break every later export as UTF-8
        json.dumps(meta, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        raise ImportFileError(
            path,
            n,
            f"a key or value beside the text has a lone surrogate {bad!r} (half of an "
            "emoji or other character cut in two); fix the tool that wrote it",
        ) from None
    return NewDocument(text=text, meta=meta, line=n)


def _tokens(obj: dict[str, Any], n: int, path: Path, text: str) -> list[dict[str, Any]] | None:
    tokens = obj.get("tokens")
    if tokens is None:
        return None
    if not isinstance(tokens, list):
        raise ImportFileError(path, n, f'"tokens" must be a list, got {type(tokens).__name__}')
    for i, tok in enumerate(tokens):
        if not isinstance(tok, dict) or not isinstance(tok.get("start"), int) or not isinstance(tok.get("end"), int):
            raise ImportFileError(path, n, f'token {i} needs integer "start" and "end"')
        if not 0 <= tok["start"] <= tok["end"] <= len(text):
            raise ImportFileError(
                path, n, f"token {i} {tok['start']}-{tok['end']} is outside the text ({len(text)} characters)"
            )
        if "text" in tok and text[tok["start"] : tok["end"]] != tok["text"]:
            raise ImportFileError(
                path,
                n,
                f"token {i} says {short(tok['text'])} but the text at {tok['start']}-"
                f"{tok['end']} is {short(text[tok['start'] : tok['end']])}",
            )
    return tokens


def _span(raw: object, n: int, path: Path, text: str, tokens: list[dict[str, Any]] | None) -> tuple[int, int, str]:
    if not isinstance(raw, dict):
        raise ImportFileError(path, n, f'each span must be an object {{"start", "end", "label"}}, got {short(raw)}')
    for key in ("start", "end", "label"):
        if key not in raw:
            raise ImportFileError(path, n, f"a span has no {key!r} key: {json.dumps(raw)[:80]}")
    start, end, label = raw["start"], raw["end"], raw["label"]
    check_spans(path, n, text, [(start, end, label)], Counter())
    check_span_text(path, n, text, start, end, label, raw.get("text"))
    ts, te = raw.get("token_start"), raw.get("token_end")
    if (
        tokens is not None
        and isinstance(ts, int)
        and isinstance(te, int)
        and not (0 <= ts <= te < len(tokens) and tokens[ts]["start"] == start and tokens[te]["end"] == end)
    ):
        raise ImportFileError(
            path,
            n,
            f"span {start}-{end} ({label}): token_start {ts} / token_end {te} "
            "do not match its offsets (token_end is inclusive)",
        )
    return start, end, label


def task_from(obj: dict[str, Any], n: int, path: Path, options: ReadOptions) -> NewDocument | None:
    """A document, with its annotation when the object is a task. None for a blank-text task (skipped)."""
    text = obj.get(options.text_key)
    if isinstance(text, str) and not text.strip() and ("answer" in obj or "spans" in obj):
        options.skipped["tasks with blank text"] += 1
        return None
    doc = document_from(obj, n, path, options.text_key)
    if "relations" in obj and isinstance(obj["relations"], list) and obj["relations"]:
        options.skipped["relations"] += len(obj["relations"])
    answer = obj.get("answer")
    raw_spans = obj.get("spans")
    tokens = _tokens(obj, n, path, doc.text)
    if tokens:
        flat = [x for tok in tokens for x in (tok["start"], tok["end"])]
        if problem(flat, len(doc.text)) is None:
            doc.tokens = pack(flat, len(doc.text))
        else:
            options.skipped["token lists that overlap or hold empty tokens (the project's tokenizer is used)"] += 1
    if answer is None and raw_spans is None:
        return doc
    if answer is not None and answer not in ANSWERS:
        raise ImportFileError(path, n, f"answer {short(answer)} is not accept, reject or ignore")
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        raise ImportFileError(path, n, f'"spans" must be a list, got {type(raw_spans).__name__}')
    spans = []
    binary = any(isinstance(s, dict) and "answer" in s for s in raw_spans)
    for raw in raw_spans:
        span = _span(raw, n, path, doc.text, tokens)
        if binary and raw.get("answer", answer) != "accept":
            options.skipped["spans answered reject/ignore in binary (ner.teach) tasks"] += 1
            continue
        spans.append(span)
    doc.spans, lost = check_spans(path, n, doc.text, spans, options.skipped)
    doc.status = "pending" if binary or lost or answer is None else ANSWERS[answer]
    doc.annotator = task_annotator(obj)
    if binary:
        doc.meta["binary"] = True
    return doc


def _hashes(doc: NewDocument) -> dict[str, Any]:
    kept = doc.meta.get(KEY) or {}
    return {k: kept[k] for k in HASHES if k in kept}


def _merge(first: NewDocument, doc: NewDocument, accepted: bool) -> None:
    """Another binary task on `first`'s text: the document keeps the accepted record's hashes (the first one's
    when none or both were accepted) and lists the other records' hashes under "merged"."""
    kept = first.meta.setdefault(KEY, {})
    other = _hashes(doc)
    if accepted and not kept.get("_accepted"):
        other, mine = _hashes(first), other
        kept.update(mine)
        kept["_accepted"] = True
    if other:
        kept.setdefault("merged", []).append(other)


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    docs: list[NewDocument] = []
    binary_by_text: dict[tuple[str, str | None], NewDocument] = {}
    for n, obj in iter_objects(path, options):
        doc = task_from(obj, n, path, options)
        if doc is None:
            continue
        if doc.meta.pop("binary", False):
            accepted = obj.get("answer") == "accept"
            first = binary_by_text.get((doc.text, doc.annotator))
            if first is not None:  # another binary task on the same text: one document, spans merged
                first.spans, _ = check_spans(
                    path, n, doc.text, (first.spans or []) + (doc.spans or []), options.skipped
                )
                _merge(first, doc, accepted)
                options.skipped["binary tasks merged into an earlier task on the same text"] += 1
                continue
            if accepted:
                doc.meta.setdefault(KEY, {})["_accepted"] = True
            binary_by_text[(doc.text, doc.annotator)] = doc
        docs.append(doc)
    for doc in binary_by_text.values():
        doc.meta.get(KEY, {}).pop("_accepted", None)
    if not docs:
        raise ImportFileError(path, None, "is empty: no JSON lines in it")
    return docs


# ------------------------------------------------------------------------------------------------ export


def input_hash(text: str) -> int:
    """A signed 32-bit hash of the text (Prodigy's `_input_hash` role: same text, same hash). Records that came
    with hashes keep them; this is only for records Tagdesk makes. No formula tried (murmurhash of the JSON of
    the input keys, in several spellings) reproduces the hashes in real Prodigy files, so these are Tagdesk's
    own: Prodigy recomputes nothing, and dedupes Tagdesk's records among themselves by them."""
    return int(murmur(json.dumps({"text": text}, ensure_ascii=False)))


def task_hash(in_hash: int, spans: list[tuple[int, int, str]]) -> int:
    """A signed 32-bit hash of the text's hash and the spans (Prodigy's `_task_hash` role)."""
    return int(murmur(json.dumps({"input": in_hash, "spans": spans}, ensure_ascii=False)))


class JsonlWriter:
    def __init__(self, path: Path, ctx: WriteContext) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")

    def add(self, item: ExportItem) -> None:
        d = item.doc
        text = d.text
        if d.tokens is not None:  # the file's own tokens, exactly (not the Doc's, which adds gap tokens)
            pairs = bounds(d.tokens, len(text))
        else:
            flat = item.token_bounds()
            pairs = list(zip(flat[0::2], flat[1::2], strict=True))
        tokens = [
            {"text": text[s:e], "start": s, "end": e, "id": i, "ws": text[e : e + 1] == " "}
            for i, (s, e) in enumerate(pairs)
        ]
        starts = {s: i for i, (s, _e) in enumerate(pairs)}
        ends = {e: i for i, (_s, e) in enumerate(pairs)}
        spans = [
            {"start": s, "end": e, "label": label, "token_start": starts[s], "token_end": ends[e]}
            for s, e, label in item.spans
        ]
        meta = dict(d.meta)
        kept = meta.pop(KEY, None)
        kept = dict(kept) if isinstance(kept, dict) else {}
        if "_input_hash" not in kept:  # a record Tagdesk made: Tagdesk's own hashes (see input_hash)
            kept["_input_hash"] = input_hash(text)
        if "_task_hash" not in kept:
            kept["_task_hash"] = task_hash(kept["_input_hash"], item.spans)
        task = {"text": text, "meta": meta, **kept, "tokens": tokens, "spans": spans}
        if d.status in STATUS_ANSWER:
            task["answer"] = STATUS_ANSWER[d.status]
        self.fh.write(json.dumps(task, ensure_ascii=False) + "\n")

    def finish(self) -> None:
        self.fh.close()

    def close(self) -> None:
        self.fh.close()


register(
    Format(
        "jsonl",
        (".jsonl", ".ndjson", ".jsonlines"),
        'JSON lines: {"text", "meta"} documents or Prodigy-style tasks (tokens, spans, answer, hashes)',
        read=read,
        write=JsonlWriter,
        cannot_carry=(),
        tokens=True,
        suffix=".jsonl",
    )
)
