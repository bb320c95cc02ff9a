"""CoNLL-2003: `token POS chunk TAG` (POS and chunk written as `_`), IOB2 tags, `-DOCSTART- -X- O O` before each
document: what `python -m spacy convert -c ner` reads. Carries tokens and entities only (see `_columns.py`)."""

from __future__ import annotations

from functools import partial

from . import Format, register
from ._columns import ColumnWriter, looks_like_columns, read_columns

register(
    Format(
        "conll",
        (".conll", ".conll03", ".conll2003", ".conllx"),
        "CoNLL-2003 columns, IOB2 tags, -DOCSTART- between documents",
        read=read_columns,
        write=partial(ColumnWriter, scheme="iob", columns=4),
        cannot_carry=("status", "meta", "exact whitespace"),
        tokens=True,
        suffix=".conll",
        sniff=looks_like_columns,
    )
)
