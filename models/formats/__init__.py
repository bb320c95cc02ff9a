"""File formats, registered by name. One module per format; each may offer `read` and/or `write`.

A reader returns every document of a file or raises `ImportFileError(path, line, reason)`: files are
all-or-nothing, so readers parse and check the whole file before anything is stored.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TagdeskError
from ..store import NewDocument

ProgressFn = Callable[[int, int], None]


@dataclass
class ReadOptions:
    """Options a reader may use; a reader ignores those that do not apply to its format."""
    by_line: bool = False            # text: one document per line
    text_column: str = "text"        # csv: the column holding the text
    text_key: str = "text"           # jsonl: the key holding the text
    on_progress: ProgressFn | None = None   # (bytes read, bytes total)
    extra: dict[str, Any] = field(default_factory=dict)


Reader = Callable[[Path, ReadOptions], list[NewDocument]]


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    description: str
    read: Reader | None = None
    write: Callable[..., Any] | None = None


FORMATS: dict[str, Format] = {}

# Modules that register formats; adding a format is one new module and one name here.
_MODULES = ["text", "jsonl", "csv"]


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def _load() -> None:
    if not FORMATS:
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


def guess_format(path: Path) -> Format:
    """The reader for a file, from its name (`.jsonl`, `.csv`, `.txt`, ...)."""
    _load()
    name = path.name.lower()
    for fmt in FORMATS.values():
        if fmt.read and any(name.endswith(s) for s in fmt.suffixes):
            return fmt
    raise TagdeskError(f"{path}: cannot tell the format from the file name; "
                       f"give it with --format ({', '.join(sorted(n for n, f in FORMATS.items() if f.read))})")
