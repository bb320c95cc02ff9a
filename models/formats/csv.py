"""CSV with a header row; the text is in `text_column`, every other column goes to meta."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._read import text_problem
from ._stream import iter_lines


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    lines = (line + "\n" for _n, line in iter_lines(path, options.on_progress))  # streamed, checked as UTF-8
    # The csv module refuses fields over 128 KB by default; a document may be a whole book.
    size = path.stat().st_size if path.is_file() else 0
    csv.field_size_limit(max(csv.field_size_limit(), size + 1))
    reader = csv.DictReader(lines, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ImportFileError(path, 1, f"not valid CSV: {exc}") from None
    if not header:
        raise ImportFileError(path, None, "is empty: expected a header row naming the columns")
    column = options.text_column
    if column not in header:
        raise ImportFileError(
            path,
            1,
            f"no column {column!r} in the header (columns: {', '.join(header)}); "
            "name the text column with --text-column",
        )
    docs = []
    line = 1
    try:
        for row in reader:
            start_line, line = line + 1, reader.line_num
            if None in row:
                raise ImportFileError(
                    path, start_line, f"{len(header) + len(row[None])} fields where the header has {len(header)}"
                )
            text = row[column]
            if text is None:
                raise ImportFileError(path, start_line, f"fewer fields than the header; no {column!r} value")
            problem = text_problem(text)
            if problem:
                raise ImportFileError(path, start_line, problem)
            meta = {k: v for k, v in row.items() if k != column}
            docs.append(NewDocument(text=text, meta=meta, line=start_line))
    except csv.Error as exc:
        raise ImportFileError(path, reader.line_num, f"not valid CSV: {exc}") from None
    if not docs:
        raise ImportFileError(path, None, "has a header but no rows")
    return docs


register(Format("csv", (".csv",), "CSV with a header row; --text-column names the text", read=read))
