"""IOB: one `token<TAB>TAG` per line with IOB2 tags from spaCy's `biluo_to_iob`. Reads like conll (`_columns.py`)."""

from __future__ import annotations

from functools import partial

from . import Format, register
from ._columns import ColumnWriter, read_columns

register(
    Format(
        "iob",
        (".iob", ".bio", ".iob2"),
        "one token per line with its IOB2 tag",
        read=read_columns,
        write=partial(ColumnWriter, scheme="iob", columns=2),
        cannot_carry=("status", "meta", "exact whitespace"),
        tokens=True,
        suffix=".iob",
    )
)
