"""Plain text: one document per file, or one per line with `by_line` (blank lines are skipped)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._read import read_utf8, text_problem
from ._stream import iter_lines


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    if options.by_line:
        return _by_line(path, options)
    text = read_utf8(path)
    if options.on_progress:
        options.on_progress(len(text), len(text))
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, None, problem)
    return [NewDocument(text=text, meta={"file": path.name}, line=1)]


def _by_line(path: Path, options: ReadOptions) -> list[NewDocument]:
    """One document per non-blank line, the file streamed."""
    docs = []
    for n, line in iter_lines(path, options.on_progress):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        problem = text_problem(line)
        if problem:
            raise ImportFileError(path, n, problem)
        docs.append(NewDocument(text=line, meta={"file": path.name, "line": n}, line=n))
    if not docs:
        raise ImportFileError(path, None, "has no text (every line is blank)")
    return docs


register(Format("text", (".txt", ".text"), "plain text: one document per file, or per line with --by-line", read=read))
