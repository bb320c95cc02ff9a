"""Shared checks for readers: decoding and text validity, with file:line messages."""
from __future__ import annotations

from pathlib import Path

from ..errors import ImportFileError


def read_utf8(path: Path) -> str:
    """The file's text (a UTF-8 BOM is dropped). Not UTF-8 -> ImportFileError naming the line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise ImportFileError(path, None, "is a folder; name the files inside it") from None
    except OSError as exc:
        raise ImportFileError(path, None, f"cannot be read ({exc.strerror})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(path, 1, "UTF-16 text, not UTF-8; convert the file to UTF-8, "
                                       "e.g. iconv -f utf-16 -t utf-8") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
                                          "convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8") from None


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
        return (f"the text has a lone surrogate {text[exc.start]!r} at position {exc.start} (half of an emoji "
                "or other character cut in two); fix the tool that wrote it")
    return None
