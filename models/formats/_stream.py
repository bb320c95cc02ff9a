"""Reading files a piece at a time: lines (`iter_lines`) and the elements of a JSON array (`json_values`), 1 MB
of the file at a time with a running line count, so readers are linear in the file's size and never hold its
text whole. Decoding errors are worded by `read_utf8` (with the line of the bad byte)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from . import ProgressFn
from ._read import bad_json, read_utf8

CHUNK = 1 << 20


def text_chunks(path: Path, on_progress: ProgressFn | None = None) -> Iterator[str]:
    """The file's text, 1 MB at a time, decoded as UTF-8 (BOM dropped); errors as `read_utf8` words them."""
    import codecs
    import os

    try:
        fh = path.open("rb")
    except OSError:
        read_utf8(path)  # raises the message for a missing file, a folder, no permission
        raise
    with fh:
        total = os.fstat(fh.fileno()).st_size
        data = fh.read(CHUNK)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            read_utf8(path)  # raises the UTF-16 message
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        decoder = codecs.getincrementaldecoder("utf-8")()
        done = 0
        while True:
            try:
                text = decoder.decode(data, not data)
            except UnicodeDecodeError:
                read_utf8(path)  # raises with the exact line of the bad byte
                raise
            if text:
                yield text
            if not data:
                break
            done += len(data)
            if on_progress:
                on_progress(done, total)
            data = fh.read(CHUNK)


class _Buffer:
    """A window on a text arriving in chunks, with the line number of any position in it (counted once: a
    running count, so reading a file is linear in its size)."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks
        self.text = ""
        self.eof = False
        self.base_line = 1  # line of text[0]
        self.counted = 0  # text[:counted] holds `lines` line breaks
        self.lines = 0

    def more(self, keep_from: int) -> int:
        """Drop text before `keep_from`, read the next chunk; returns how far positions moved back."""
        self.line(keep_from)
        self.base_line += self.lines
        self.lines, self.counted = 0, 0
        rest = self.text[keep_from:]
        parts = [rest]
        got = 0
        while not got or got < len(rest):  # an element bigger than a chunk: read as much again (linear)
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        self.text = "".join(parts)
        return keep_from

    def line(self, pos: int) -> int:
        if pos < self.counted:
            return self.base_line + self.text.count("\n", 0, pos)
        self.lines += self.text.count("\n", self.counted, pos)
        self.counted = pos
        return self.base_line + self.lines

    def skip_ws(self, pos: int) -> int:
        """The first position at or after `pos` that is not whitespace (reading on as needed); -1 at the end."""
        while True:
            text = self.text
            n = len(text)
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos < n:
                return pos
            if self.eof:
                return -1
            pos -= self.more(pos)


def json_values(
    path: Path, content: str | None = None, on_progress: ProgressFn | None = None
) -> Iterator[tuple[int, Any]]:
    """(line, value) for each element of a top-level JSON array, or the one top-level value, with the line
    each starts on. Invalid JSON -> ImportFileError naming the line. The file is read 1 MB at a time (its text
    is never held whole) and each element parsed on its own: linear in the file's size. `content`: parse this
    text instead of reading `path`."""
    decoder = json.JSONDecoder()
    buf = _Buffer(iter([content]) if content is not None else text_chunks(path, on_progress))
    pos = buf.skip_ws(0)
    if pos < 0:
        raise ImportFileError(path, None, "is empty: expected JSON")
    if buf.text[pos] != "[":
        while not buf.eof:  # one value (a single task): read it whole
            pos -= buf.more(pos)
        value, end = _decode(path, buf, decoder, pos)
        if buf.skip_ws(end) >= 0:
            raise ImportFileError(path, buf.line(end), "extra text after the JSON value")
        yield buf.line(pos), value
        return
    pos = buf.skip_ws(pos + 1)
    if pos >= 0 and buf.text[pos] == "]":
        if buf.skip_ws(pos + 1) >= 0:
            raise ImportFileError(path, buf.line(pos + 1), "extra text after the JSON array")
        return
    while True:
        if pos < 0:
            raise ImportFileError(
                path, buf.line(len(buf.text)), "the JSON array is not closed (was the file truncated?)"
            )
        while True:
            try:
                value, end = decoder.raw_decode(buf.text, pos)
            except (json.JSONDecodeError, RecursionError, ValueError):
                if buf.eof:
                    value, end = _decode(path, buf, decoder, pos)  # raises, worded
                    break
                pos -= buf.more(pos)  # the element runs past what was read: read on and parse it again
                continue
            if end == len(buf.text) and not buf.eof:  # a number or literal may go on in the next chunk
                pos -= buf.more(pos)
                continue
            break
        yield buf.line(pos), value
        pos = buf.skip_ws(end)
        if pos < 0:
            raise ImportFileError(
                path, buf.line(len(buf.text)), "the JSON array is not closed (was the file truncated?)"
            )
        if buf.text[pos] == "]":
            if buf.skip_ws(pos + 1) >= 0:
                raise ImportFileError(path, buf.line(pos + 1), "extra text after the JSON array")
            return
        if buf.text[pos] != ",":
            raise ImportFileError(
                path, buf.line(pos), f"expected ',' or ']' in the JSON array, found {buf.text[pos]!r}"
            )
        pos = buf.skip_ws(pos + 1)


def _decode(path: Path, buf: _Buffer, decoder: json.JSONDecoder, pos: int) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(buf.text, pos)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        where = getattr(exc, "pos", None)
        line = buf.line(where) if isinstance(where, int) else buf.line(pos)
        raise bad_json(path, line, exc, buf.text, whole_file=True, column=_column(buf.text, where)) from None


def _column(text: str, pos: int | None) -> int | None:
    if pos is None:
        return None
    return pos - (text.rfind("\n", 0, pos) + 1) + 1


def iter_lines(path: Path, on_progress: ProgressFn | None = None) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its "\\n") for every line of a UTF-8 file, read 1 MB at a time (the file
    is never held whole). A UTF-8 BOM is dropped; UTF-16 or bytes that are not UTF-8 -> ImportFileError naming
    the line (as `read_utf8`). `on_progress(bytes read, bytes total)` is called per megabyte."""
    import codecs
    import os

    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise ImportFileError(path, None, "is a folder; name the files inside it") from None
    except OSError as exc:
        raise ImportFileError(path, None, f"cannot be read ({exc.strerror})") from None
    with fh:
        total = os.fstat(fh.fileno()).st_size
        data = fh.read(CHUNK)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            read_utf8(path)  # raises the UTF-16 message
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        decoder = codecs.getincrementaldecoder("utf-8")()
        n, rest, done = 0, "", 0
        while True:
            final = not data
            try:
                text = decoder.decode(data, final)
            except UnicodeDecodeError:
                read_utf8(path)  # raises with the exact line of the bad byte
                raise
            lines = (rest + text).split("\n")
            rest = lines.pop()
            for line in lines:
                n += 1
                yield n, line
            if final:
                break
            done += len(data)
            if on_progress:
                on_progress(done, total)
            data = fh.read(CHUNK)
        if rest:
            yield n + 1, rest
        if on_progress:
            on_progress(total, total)


def file_has_line_starting(path: Path, prefix: bytes) -> bool:
    """Whether some line of the file starts with `prefix`, without reading the file into memory."""
    import mmap

    with path.open("rb") as fh:
        try:
            view = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return False
        with view:
            head = view[: len(prefix) + 3]
            return head.startswith((prefix, b"\xef\xbb\xbf" + prefix)) or view.find(b"\n" + prefix) >= 0
