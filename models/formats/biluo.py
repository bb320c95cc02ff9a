"""BILUO: one `token<TAB>TAG` per line with spaCy's `offsets_to_biluo_tags`. Reads like conll (`_columns.py`)."""

from __future__ import annotations

from functools import partial

from . import Format, register
from ._columns import ColumnWriter, read_columns

register(
    Format(
        "biluo",
        (".biluo", ".bilou", ".bioes"),
        "one token per line with its BILUO tag",
        read=read_columns,
        write=partial(ColumnWriter, scheme="biluo", columns=2),
        cannot_carry=("status", "meta", "exact whitespace"),
        tokens=True,
        suffix=".biluo",
    )
)
