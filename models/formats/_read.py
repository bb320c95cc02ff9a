"""Shared checks for readers: decoding and text validity, with file:line messages."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..errors import ImportFileError


def read_utf8(path: Path, *, keep_bom: bool = False) -> str:
    """The file's text (a UTF-8 BOM is dropped, unless `keep_bom`: a brat .txt counts it as the text's first
    character). Not UTF-8 -> ImportFileError naming the line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise ImportFileError(path, None, "is a folder; name the files inside it") from None
    except OSError as exc:
        raise ImportFileError(path, None, f"cannot be read ({exc.strerror})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            path, 1, "UTF-16 text, not UTF-8; convert the file to UTF-8, e.g. iconv -f utf-16 -t utf-8"
        ) from None
    try:
        return data.decode("utf-8" if keep_bom else "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            path,
            line,
            f"not UTF-8 (byte 0x{data[exc.start]:02x}); convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from None


def text_problem(text: object) -> str | None:
    """Why this cannot be a document's text, or None when it can."""
    if not isinstance(text, str):
        return f"the text is {type(text).__name__}, not a string"
    if not text.strip():
        return "the text is empty"
    nul = text.find("\x00")
    if nul >= 0:
        return f"the text has a NUL character at position {nul}: this looks like binary data, not text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"the text has a lone surrogate {text[exc.start]!r} at position {exc.start} (half of an emoji "
            "or other character cut in two); fix the tool that wrote it"
        )
    return None


# ---------------------------------------------------------------------------------------------- spans


def short(value: object, limit: int = 60) -> str:
    """repr of a value cut to `limit` characters, for messages (a line can be 50 MB)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


SpanTuple = tuple[int, int, str]


def check_spans(
    path: Path, line: int | None, text: str, spans: list[SpanTuple], skipped: Counter[str]
) -> tuple[list[SpanTuple], bool]:
    """Checked spans of one document, sorted, and whether any were left out.

    Offsets out of the text, end before start, empty or non-string labels -> ImportFileError naming the line.
    An exact repeat of a span is kept once (counted as "repeated spans"); a span overlapping an earlier one is
    left out (counted as "overlapping spans"), since Tagdesk's entities do not overlap.
    """
    if not _all_valid(text, spans):
        _first_problem(path, line, text, spans)
    if all(a[1] <= b[0] for a, b in pairwise(spans)):  # already in order, none overlapping or repeated
        return list(spans), False
    out: list[SpanTuple] = []
    lost = False
    distinct = set(spans)
    for span in sorted(distinct, key=lambda s: (s[0], -s[1], s[2])):
        if out and span[0] < out[-1][1]:
            skipped["overlapping spans"] += 1
            lost = True
            continue
        out.append(span)
    repeats = len(spans) - len(distinct)
    if repeats:
        skipped["repeated spans"] += repeats
    return out, lost


def _all_valid(text: str, spans: list[SpanTuple]) -> bool:
    """True when every span passes `_first_problem`'s checks (the common case, checked quickly: each distinct
    label once)."""
    length = len(text)
    labels = set()
    for start, end, label in spans:
        if type(start) is not int or type(end) is not int or type(label) is not str:
            return False
        if not 0 <= start < end <= length:
            return False
        labels.add(label)
    return all(label.strip() and _utf8(label) for label in labels)


def _first_problem(path: Path, line: int | None, text: str, spans: list[SpanTuple]) -> None:
    """ImportFileError for the first span that is not whole-number offsets inside the text with a label."""
    for start, end, label in spans:
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            raise ImportFileError(path, line, f"span offsets must be whole numbers, got {short(start)}, {short(end)}")
        if not isinstance(label, str) or not label.strip():
            raise ImportFileError(path, line, f"span {start}-{end} has no label (got {short(label)})")
        if not _utf8(label):
            raise ImportFileError(
                path,
                line,
                f"span {start}-{end}: its label {short(label)} has a lone surrogate "
                "(half of a character); fix the tool that wrote it",
            )
        if end <= start:
            raise ImportFileError(path, line, f"span {start}-{end} ({label}) ends before it starts, or is empty")
        if start < 0 or end > len(text):
            raise ImportFileError(
                path,
                line,
                f"span {start}-{end} ({label}) is past the end of the text "
                f"({len(text)} characters): offsets must count characters "
                "(code points) of this text",
            )


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_span_text(path: Path, line: int | None, text: str, start: int, end: int, label: str, claimed: object) -> None:
    """A span's own copy of its text must match the document's text at its offsets."""
    if claimed is None or not isinstance(claimed, str):
        return
    if 0 <= start < end <= len(text) and text[start:end] != claimed:
        raise ImportFileError(
            path,
            line,
            f"span {start}-{end} ({label}) says {short(claimed)} but the text there is "
            f"{short(text[start:end])}: the offsets do not match the text (were they "
            "counted in UTF-16 units or bytes?)",
        )


# ---------------------------------------------------------------------------------------------- JSON


def json_line(path: Path, n: int, line: str) -> Any:
    """One JSON value from line `n` of a JSON-lines file, or ImportFileError saying what is wrong there."""
    import json

    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise bad_json(path, n, exc, line) from None


def bad_json(
    path: Path, n: int, exc: Exception, text: str, *, whole_file: bool = False, column: int | None = None
) -> ImportFileError:
    """The message for JSON that does not parse: where, why, and whether the file looks cut short."""
    import json

    if isinstance(exc, json.JSONDecodeError):
        cut = ""
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            cut = (
                " (the file ends too soon: was it truncated?)"
                if whole_file
                else " (the line is cut short: was the file truncated?)"
            )
        return ImportFileError(path, n, f"invalid JSON: {exc.msg} at column {column or exc.colno}{cut}")
    # nested thousands deep (RecursionError); an integer of 4,300+ digits (ValueError)
    reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
    return ImportFileError(path, n, f"invalid JSON: {reason}")
