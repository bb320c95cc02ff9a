"""Carrying the suggestion cache over a label rename, without running spaCy again.

The cache key ends with `labels:<hash>` of the project labels and the label mapping (`locate.labels_part`). A
rename changes both, so every cached suggestion would be made again under the new key, and until then a window
would show the old key's suggestions, with the old name. But a rename maps labels one to one: what the suggester
makes under the renamed labels is what it made before with the old name replaced, except where the new name is a
label the suggester itself produces and the mapping did not send anywhere (dropped before, since it was no project
label; kept after). `rename_carry` says when the cache can be carried (the store then moves it in the rename's
transaction, `models.store.rekey_suggestions`) and when it must be made again.
"""

from __future__ import annotations

import json

from ..errors import SuggesterError
from ..project import Project
from .locate import labels_part, locate_pipeline, pattern_paths


def suggester_labels(project: Project) -> set[str] | None:
    """Every label the project's pipeline and pattern files can produce, read without spaCy; None when that
    cannot be known (a pipeline whose meta.json lists no labels, a pattern file that cannot be read)."""
    found: set[str] = set()
    try:
        ref = locate_pipeline(project)
    except SuggesterError:
        return None  # the pipeline cannot be found now: its labels are unknown
    if ref is not None:
        listed = ref.meta.get("labels")
        if not isinstance(listed, dict):
            return None
        for names in listed.values():
            found.update(str(n) for n in names or ())
    for path in pattern_paths(project):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        for line in lines:
            try:
                label = json.loads(line).get("label") if line.strip() else None
            except (ValueError, AttributeError):
                return None
            if label is not None:
                found.add(str(label))
    return found


def rename_carry(project: Project, old: str, new: str, new_map: dict[str, str]) -> tuple[str, str] | None:
    """(the old labels part, the new one) of the cache key for renaming label `old` to `new` with the mapping
    becoming `new_map`, when the cached suggestions renamed are exactly what the suggester would make; else None."""
    cfg = project.config
    if new not in cfg.model.label_map:  # the suggester's own `new` entities were dropped; renamed, they are not
        produced = suggester_labels(project)
        if produced is None or new in produced:
            return None
    before = labels_part(cfg.label_names, cfg.model.label_map)
    after = labels_part([new if n == old else n for n in cfg.label_names], new_map)
    return (before, after) if before != after else None
