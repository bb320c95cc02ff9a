"""File formats, registered by name. One module per format; each may offer `read` and/or `write`.

A reader returns every document of a file or raises `ImportFileError(path, line, reason)`: files are
all-or-nothing, so readers parse and check the whole file before anything is stored. What a reader leaves
out because Tagdesk cannot hold it (relations, discontinuous spans, ...) it counts in `options.skipped`.

A writer is a factory `write(path, context) -> Writer`; the export driver feeds it one `ExportItem` at a time
and calls `finish()`. Use `import_file(project, path, ...)` and `export_project(project, fmt, out, ...)` (both
take plain progress callbacks) rather than readers and writers directly.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TagdeskError
from ..store import NewDocument

if TYPE_CHECKING:
    from ._export import WriteContext, Writer

ProgressFn = Callable[[int, int], None]


@dataclass
class ReadOptions:
    """Options a reader may use; a reader ignores those that do not apply to its format."""

    by_line: bool = False  # text: one document per line
    text_column: str = "text"  # csv: the column holding the text
    text_key: str = "text"  # jsonl: the key holding the text
    on_progress: ProgressFn | None = None  # (bytes read, bytes total)
    # doccano, Label Studio: "codepoints", "utf16" or "graphemes" (see _offsets.py); None detects it
    offsets: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Filled by readers: what was left out and how often, e.g. {"relations": 3}.
    skipped: Counter[str] = field(default_factory=Counter)
    # Filled by readers of formats with an offset convention: which one was used and how it was chosen.
    offsets_used: str = ""


Reader = Callable[[Path, ReadOptions], list[NewDocument]]


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    description: str
    read: Reader | None = None
    write: Callable[[Path, WriteContext], Writer] | None = None  # a factory: (path, context) -> writer
    # What the format cannot carry (said in `tagdesk export --help`), e.g. ("status", "meta").
    cannot_carry: tuple[str, ...] = ()
    tokens: bool = False  # written token by token: spans must fall on token boundaries
    suffix: str = ""  # what an exported file is named with ("" = a folder)
    sniff: Callable[[Path, str], bool] | None = None  # (path, head of the file) -> is it this format?


FORMATS: dict[str, Format] = {}

# Modules that register formats; adding a format is one new module and one name here.
_MODULES = ["text", "jsonl", "csv", "spacy", "conll", "iob", "biluo", "doccano", "labelstudio", "brat"]


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def _load() -> None:
    # every module, whatever was imported before (importing one format module directly registers only that one)
    for mod in _MODULES:
        importlib.import_module(f"{__name__}.{mod}")


def all_formats() -> dict[str, Format]:
    _load()
    return dict(FORMATS)


def get_format(name: str) -> Format:
    _load()
    try:
        return FORMATS[name]
    except KeyError:
        raise TagdeskError(f"unknown format {name!r}; choose one of: {', '.join(sorted(FORMATS))}") from None


def _head(path: Path, size: int = 65536) -> str:
    if path.is_dir():
        return ""
    try:
        with path.open("rb") as fh:
            return fh.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _sniffs(fmt: Format, path: Path, head: str) -> bool:
    """A sniffer only guesses: whatever it trips on (hostile JSON, odd bytes) means "not recognised here",
    and the reader chosen by name then reports the real problem with its file and line."""
    if fmt.sniff is None:
        return False
    try:
        return bool(fmt.sniff(path, head))
    except (ValueError, RecursionError, TypeError, KeyError, IndexError, AttributeError):
        return False


def guess_format(path: Path) -> Format:
    """The reader for a file: from its content where formats share a suffix (doccano vs Prodigy `.jsonl`,
    brat folders), else from its name (`.jsonl`, `.csv`, `.txt`, `.spacy`, `.conll`, ...)."""
    _load()
    head = _head(path)
    for fmt in FORMATS.values():
        if fmt.read and fmt.sniff and _sniffs(fmt, path, head):
            return fmt
    name = path.name.lower()
    for fmt in FORMATS.values():
        if fmt.read and any(name.endswith(s) for s in fmt.suffixes):
            return fmt
    raise TagdeskError(
        f"{path}: cannot tell the format from the file name; "
        f"give it with --format ({', '.join(sorted(n for n, f in FORMATS.items() if f.read))})"
    )


# The drivers (imported last: they use the registry above).
from ._export import AlignmentError, ExportResult, export_project  # noqa: E402
from ._import import ImportReport, import_file  # noqa: E402

__all__ = [
    "AlignmentError",
    "ExportResult",
    "Format",
    "ImportReport",
    "ReadOptions",
    "all_formats",
    "export_project",
    "get_format",
    "guess_format",
    "import_file",
    "register",
]
