"""Plain text: one document per file, or one per line with `by_line` (blank lines are skipped)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._read import read_utf8, text_problem


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    text = read_utf8(path)
    if options.on_progress:
        options.on_progress(len(text), len(text))
    if not options.by_line:
        problem = text_problem(text)
        if problem:
            raise ImportFileError(path, None, problem)
        return [NewDocument(text=text, meta={"file": path.name}, line=1)]
    docs = []
    for n, line in enumerate(text.split("\n"), start=1):
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
