"""doccano JSONL: `{"text": ..., "label": [[start, end, "LABEL"], ...], "meta": {...}}` per line.

Reads the generations seen in real exports: `label` / `labels` / `column_label` lists, `entities` objects
({start_offset, end_offset, label}; their `relations` are skipped and counted), old `annotations`
({label, start_offset, end_offset, user}; numeric label ids become labels like "12"; every user's spans are
merged), texts under `text`, `data` or `column_data`, and a pretty-printed JSON file in place of JSON lines.
doccano has no status: records with labels import as accepted. A record's other top-level keys (`id`, ...) are
kept and written back at the top level. Offsets: `--offsets codepoints|utf16|graphemes` (see `_offsets.py`;
doccano counts UTF-16 units by default), detected on import when not given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._offsets import DESCRIBED, Detector, RawSpans, convert_spans, export_units
from ._read import bad_json, check_spans, short, text_problem
from ._stream import iter_lines, json_values

TEXT_KEYS = ("text", "data", "column_data")
LIST_KEYS = ("label", "labels", "column_label")
KNOWN = set(TEXT_KEYS) | set(LIST_KEYS) | {"entities", "relations", "annotations", "meta"}
KEY = "_doccano"  # meta key keeping a record's other top-level keys (its `id`, ...)


def _objects(path: Path, options: ReadOptions) -> Iterator[tuple[int, Any]]:
    """(line, object) per JSON line, the file streamed; a pretty-printed file named .jsonl (one JSON value, or
    an array, over many lines) is read as that."""
    for n, line in iter_lines(path, options.on_progress):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if n == 1 or not line[:1].isspace() and line[:1] not in "{[]}":
                try:
                    yield from json_values(path)
                    return
                except ImportFileError:
                    pass
            raise bad_json(path, n, exc, line) from None
        except (RecursionError, ValueError) as exc:
            raise bad_json(path, n, exc, line) from None
        yield n, obj


def _text(obj: dict[str, Any], n: int, path: Path, key: str) -> str:
    keys = (key,) if key != "text" else TEXT_KEYS
    for k in keys:
        if k in obj:
            text = obj[k]
            problem = text_problem(text)
            if problem:
                raise ImportFileError(path, n, problem)
            return str(text)
    raise ImportFileError(
        path,
        n,
        f"no text: none of the keys {', '.join(keys)} is here (keys: "
        f"{', '.join(sorted(obj)) or 'none'}); name the text key with --text-key",
    )


def _raw_spans(obj: dict[str, Any], n: int, path: Path, options: ReadOptions) -> list[tuple[Any, ...]] | None:
    for key in LIST_KEYS:
        if key in obj:
            items = obj[key]
            if not isinstance(items, list):
                raise ImportFileError(path, n, f"{key!r} must be a list of [start, end, label], got {items!r:.60}")
            for item in items:
                if not (isinstance(item, list) and len(item) == 3):
                    raise ImportFileError(path, n, f"{key!r}: each item must be [start, end, label], got {item!r:.60}")
            return [tuple(item) for item in items]
    for key, (s, e, lab) in (
        ("entities", ("start_offset", "end_offset", "label")),
        ("annotations", ("start_offset", "end_offset", "label")),
    ):
        if key in obj:
            items = obj[key]
            if not isinstance(items, list):
                raise ImportFileError(path, n, f"{key!r} must be a list, got {type(items).__name__}")
            out: list[tuple[Any, ...]] = []
            for item in items:
                if not isinstance(item, dict) or not all(k in item for k in (s, e, lab)):
                    raise ImportFileError(path, n, f"{key!r}: each item needs {s}, {e} and {lab}: {item!r:.80}")
                label = item[lab]
                out.append((item[s], item[e], str(label) if isinstance(label, int) else label))
            return out
    return None


def _whole_numbers(path: Path, n: int, raw: list[tuple[Any, ...]]) -> RawSpans:
    """The spans, once their offsets are known to be whole numbers (ImportFileError names the line if not)."""
    out: RawSpans = []
    for start, end, label in raw:
        for x in (start, end):
            if isinstance(x, bool) or not isinstance(x, int):
                raise ImportFileError(path, n, f"span offsets must be whole numbers, got {short(start)}, {short(end)}")
        out.append((start, end, label))
    return out


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    docs: list[NewDocument] = []
    detector = Detector(given=options.offsets)
    deferred: list[tuple[int, RawSpans]] = []  # (index in docs, raw spans) of documents that decide the convention
    for n, obj in _objects(path, options):
        if not isinstance(obj, dict):
            raise ImportFileError(
                path, n, f'expected a JSON object {{"text": ..., "label": ...}}, got {type(obj).__name__}'
            )
        text = _text(obj, n, path, options.text_key)
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            raise ImportFileError(path, n, f'"meta" must be an object, got {type(meta).__name__}')
        meta = dict(meta)
        kept = {k: v for k, v in obj.items() if k not in KNOWN and k != options.text_key}
        if kept:  # ids and other keys beside the text, given back at the top level by an export
            meta[KEY] = kept
        if isinstance(obj.get("relations"), list) and obj["relations"]:
            options.skipped["relations"] += len(obj["relations"])
        items = _raw_spans(obj, n, path, options)
        doc = NewDocument(text=text, meta=meta, line=n)
        docs.append(doc)
        if items is None:
            continue
        raw = _whole_numbers(path, n, items)
        if detector.given is not None:
            _set_spans(path, doc, raw, detector.given, options)
        elif detector.add(text, raw, n):
            deferred.append((len(docs) - 1, raw))
        else:
            _set_spans(path, doc, raw, "codepoints", options)
    if not docs:
        raise ImportFileError(path, None, "is empty: no JSON lines in it")
    convention = detector.decide()
    if convention is None:
        raise ImportFileError(path, detector.first_misfit, NO_CONVENTION)
    for index, raw in deferred:
        _set_spans(path, docs[index], raw, convention, options)
    options.offsets_used = detector.described(convention)
    return docs


NO_CONVENTION = (
    "the span offsets here fit none of code points, UTF-16 units or grapheme clusters (they fall outside the "
    "text, inside a character, or in the middle of words); if the file is right, name its convention with "
    "--offsets codepoints|utf16|graphemes"
)


def _set_spans(path: Path, doc: NewDocument, raw: RawSpans, convention: str, options: ReadOptions) -> None:
    assert doc.line is not None
    spans = convert_spans(doc.text, raw, convention)
    if spans is None:
        raise ImportFileError(
            path,
            doc.line,
            f"a span offset falls outside the text or inside a character counted in {DESCRIBED[convention]}; "
            "is the file in another convention? name it with --offsets codepoints|utf16|graphemes",
        )
    doc.spans, lost = check_spans(path, doc.line, doc.text, spans, options.skipped)
    doc.status = "pending" if lost else "accepted"


class DoccanoWriter:
    def __init__(self, path: Path, ctx: WriteContext) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")
        self.offsets = ctx.offsets

    def add(self, item: ExportItem) -> None:
        meta = dict(item.doc.meta)
        kept = meta.pop(KEY, None)
        spans = export_units(item.doc, item.spans, self.offsets)
        record = {**(kept if isinstance(kept, dict) else {})}
        record.update({"text": item.doc.text, "label": [[s, e, label] for s, e, label in spans]})
        if meta:
            record["meta"] = meta
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def finish(self) -> None:
        self.fh.close()

    def close(self) -> None:
        self.fh.close()


def sniff(path: Path, head: str) -> bool:
    if path.is_dir() or not path.name.lower().endswith((".jsonl", ".json", ".ndjson")):
        return False
    first = next((ln for ln in head.split("\n") if ln.strip()), "")
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        return '"start_offset"' in head or ('"entities"' in head and '"relations"' in head)
    if not isinstance(obj, dict):
        return False
    if any(isinstance(obj.get(k), list) and all(isinstance(i, list) for i in obj[k]) for k in LIST_KEYS):
        return True
    return any(
        isinstance(obj.get(k), list) and obj[k] and isinstance(obj[k][0], dict) and "start_offset" in obj[k][0]
        for k in ("entities", "annotations")
    )


register(
    Format(
        "doccano",
        (".doccano.jsonl",),
        'doccano JSONL {"text", "label": [[start, end, label], ...]}',
        read=read,
        write=DoccanoWriter,
        cannot_carry=("status",),
        suffix=".jsonl",
        sniff=sniff,
    )
)
