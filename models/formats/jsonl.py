"""JSON lines: one object per line with a text (`text` key by default) and optional `meta`.

Other keys are kept in the document's meta.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._read import read_utf8, text_problem


def iter_objects(path: Path, options: ReadOptions):
    """(line number, dict) for each non-blank line; ImportFileError for a line that is not a JSON object."""
    content = read_utf8(path)
    total = len(content)
    done = 0
    for n, line in enumerate(content.split("\n"), start=1):
        done += len(line) + 1
        if options.on_progress and n % 2000 == 0:
            options.on_progress(min(done, total), total)
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            truncated = " (the line is cut short: was the file truncated?)" if exc.pos >= len(line.rstrip()) else ""
            raise ImportFileError(path, n, f"invalid JSON: {exc.msg} at column {exc.colno}{truncated}") from None
        except (RecursionError, ValueError) as exc:   # nested thousands deep; an integer of 4,300+ digits
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
            raise ImportFileError(path, n, f"invalid JSON: {reason}") from None
        if not isinstance(obj, dict):
            raise ImportFileError(path, n, f"expected a JSON object {{\"text\": ...}}, got {type(obj).__name__}")
        yield n, obj
    if options.on_progress:
        options.on_progress(total, total)


def document_from(obj: dict, n: int, path: Path, text_key: str) -> NewDocument:
    if text_key not in obj:
        keys = ", ".join(sorted(obj)[:8]) or "none"
        raise ImportFileError(path, n, f"no {text_key!r} key (keys here: {keys}); "
                                       f"name the text key with --text-key")
    text = obj[text_key]
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, n, problem)
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise ImportFileError(path, n, f"\"meta\" must be an object, got {type(meta).__name__}")
    meta = dict(meta)
    for key, value in obj.items():
        if key not in (text_key, "meta"):
            meta.setdefault(key, value)
    try:  # a lone surrogate in meta would break every later export as UTF-8
        json.dumps(meta, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        raise ImportFileError(path, n, f"a key or value beside the text has a lone surrogate {bad!r} (half of an "
                                       "emoji or other character cut in two); fix the tool that wrote it") from None
    return NewDocument(text=text, meta=meta, line=n)


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    docs = [document_from(obj, n, path, options.text_key) for n, obj in iter_objects(path, options)]
    if not docs:
        raise ImportFileError(path, None, "is empty: no JSON lines in it")
    return docs


register(Format("jsonl", (".jsonl", ".ndjson", ".jsonlines"),
                "JSON lines {\"text\": ..., \"meta\": {...}}; other keys kept in meta", read=read))
