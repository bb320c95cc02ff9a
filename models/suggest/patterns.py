"""Read spaCy EntityRuler patterns (JSONL, the format spaCy and Prodigy use), checking every line.

One pattern per line: {"label": "ORG", "pattern": "Acme Corp"} (a phrase) or
{"label": "ORG", "pattern": [{"LOWER": "acme"}, {"LOWER": "corp"}]} (tokens); an optional "id" is kept.
A bad line raises SuggesterError naming file:line, what is wrong and what is expected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SuggesterError

EXAMPLE = '{"label": "ORG", "pattern": "Acme Corp"}'
_KEYS = {"label", "pattern", "id"}


def _check(obj: Any, label_ok: Callable[[str], bool], labels_hint: str) -> str | None:
    """What is wrong with one parsed line, or None."""
    if not isinstance(obj, dict):
        return f"expected one JSON object per line like {EXAMPLE}, got {type(obj).__name__}"
    extra = sorted(set(obj) - _KEYS)
    if extra:
        return f'unknown key {extra[0]!r}; a pattern has "label", "pattern" and optionally "id"'
    label = obj.get("label")
    if not isinstance(label, str) or not label.strip():
        return f'"label" is missing or not a string; expected e.g. {EXAMPLE}'
    if not label_ok(label):
        return (
            f"label {label!r} is not a project label and model.label_map does not map it to one; use one of: "
            f"{labels_hint}; or add it to the project's labels"
        )
    pattern = obj.get("pattern")
    if isinstance(pattern, str):
        return None if pattern.strip() else '"pattern" is an empty string'
    if not isinstance(pattern, list) or not pattern:
        return f'"pattern" must be a phrase (string) or a non-empty list of token objects, got {pattern!r}'
    from spacy.schemas import validate_token_pattern

    errors = validate_token_pattern(pattern)
    if errors:
        return f"bad token pattern: {errors[0]} (see spaCy's Matcher token attributes)"
    return None


def read_patterns(path: Path, *, label_ok: Callable[[str], bool], labels_hint: str) -> list[dict[str, Any]]:
    """All patterns of one JSONL file. Blank lines are skipped. Raises SuggesterError at the first bad line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SuggesterError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = raw[: exc.start].count(b"\n") + 1
        raise SuggesterError(f"{path}:{at}: not UTF-8 text; save the file as UTF-8") from None
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuggesterError(
                f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                f"each line is one pattern like {EXAMPLE}"
            ) from None
        problem = _check(obj, label_ok, labels_hint)
        if problem:
            raise SuggesterError(f"{path}:{number}: {problem}")
        out.append(obj)
    return out
