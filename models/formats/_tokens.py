"""Tokens for export: a blank spaCy pipeline of the project pipeline's language.

A trained pipeline such as en_core_web_sm tokenizes with its language's default rules, which `spacy.blank(lang)`
has too, so the tokens are the ones a user training on the export gets, without loading any weights
(loading a full pipeline takes ~0.6 s and tokenizing through it is slower). The language is read from the
pipeline's meta.json; a pipeline that is not installed falls back to its name's language prefix, else "xx".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported when tokens are needed, not when the CLI starts (~0.6 s)
    from collections.abc import Callable

    from spacy.language import Language
    from spacy.tokens import Doc


def pipeline_language(pipeline: str, folder: Path | None = None) -> str:
    """The language code of a spaCy pipeline (package name or folder), without loading it."""
    from spacy import util

    meta = None
    path = Path(pipeline)
    if folder is not None and not path.is_absolute():
        path = folder / path
    try:
        if path.is_dir():
            meta = util.get_model_meta(path)
        elif util.is_package(pipeline):
            meta = util.get_model_meta(util.get_package_path(pipeline))
    except (OSError, ValueError):  # a broken or foreign folder: fall back to the name
        meta = None
    lang = (meta or {}).get("lang")
    if not lang:
        m = re.match(r"([a-z]{2,3})_", Path(pipeline).name)
        lang = m.group(1) if m else "xx"
    try:
        util.get_lang_class(lang)
    except ImportError:
        lang = "xx"
    return lang


def project_tokenizer(pipeline: str, folder: Path | None = None) -> Callable[[str], Doc]:
    """The tokenizer of a project's pipeline language, without loading the pipeline: the same tokens the
    annotation window snaps to and export aligns to (slow the first time: it imports spaCy)."""
    return blank(pipeline_language(pipeline, folder)).tokenizer


@lru_cache(maxsize=8)
def blank(lang: str) -> Language:
    """A cached blank pipeline (tokenizer only) for `lang`. Tokenize with its `tokenizer`, not by calling it:
    `nlp(text)` and `nlp.make_doc` refuse texts over `nlp.max_length` (1,000,000 characters, spaCy's E088), a
    limit meant for the parser's memory; the tokenizer alone has no such limit."""
    import spacy

    return spacy.blank(lang)
