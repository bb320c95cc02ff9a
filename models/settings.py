"""The settings everyone on a project shares, stored in its database: the suggester's pipeline and pattern files,
the label mapping (model label -> project label or "drop"), and `overlap` (how many annotators see each document).

`tagdesk settings` and the window call these. Each checks its value, stores it with a `set_setting` event, and
refreshes `project.config`. A changed pipeline, pattern list or mapping changes the suggestions' cache key, so
new suggestions are made for them.
"""

from __future__ import annotations

from typing import Any

from . import store
from .config import DROP
from .errors import TagdeskError
from .project import Project

MAX_OVERLAP = 100


def _store(project: Project, key: str, value: Any) -> None:
    with project.writing() as s:
        store.set_setting(key, value, session=s, annotator=project.annotator)
    project.refresh()


def check_pipeline(pipeline: str) -> str:
    """The pipeline setting as stored: an installed package name or a folder ("" for none), on one line."""
    if not isinstance(pipeline, str) or any(c in pipeline for c in "\n\r\t\0"):
        raise TagdeskError(f"pipeline {pipeline!r}: give a package name or a folder, on one line")
    return pipeline.strip()


def check_patterns(patterns: list[str]) -> list[str]:
    """The pattern files as stored (blank entries left out); each may be listed once."""
    clean = [p.strip() for p in patterns if p.strip()]
    if len(set(clean)) != len(clean):
        raise TagdeskError("a pattern file is listed twice; list each once")
    return clean


def check_label_map(project: Project, label_map: dict[str, str]) -> dict[str, str]:
    """Model label -> project label or "drop"; a target must be one of the project's labels."""
    names = project.config.label_names
    for src, dst in label_map.items():
        if not src.strip():
            raise TagdeskError("label mapping: a model label is empty")
        if dst != DROP and dst not in names:
            raise TagdeskError(
                f"label mapping {src} -> {dst}: {dst!r} is not a project label; use one of "
                f'{", ".join(names)} or "{DROP}"'
            )
    return dict(label_map)


def check_retrain_every(every: int) -> int:
    if not isinstance(every, int) or isinstance(every, bool) or every < 0:
        raise TagdeskError(f"retrain every {every!r}: give a number of accepted documents (0 turns it off)")
    return every


def check_overlap(overlap: int) -> int:
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 1 <= overlap <= MAX_OVERLAP:
        raise TagdeskError(f"overlap {overlap!r}: give a whole number from 1 to {MAX_OVERLAP}")
    return overlap


def set_pipeline(project: Project, pipeline: str) -> None:
    """The spaCy pipeline suggestions come from: an installed package name or a folder ("" for none)."""
    _store(project, "pipeline", check_pipeline(pipeline))


def set_patterns(project: Project, patterns: list[str]) -> None:
    """The EntityRuler pattern files (JSONL, relative to the project folder)."""
    _store(project, "patterns", check_patterns(patterns))


def set_label_map(project: Project, label_map: dict[str, str]) -> None:
    """Model label -> project label or "drop"; a target must be one of the project's labels."""
    _store(project, "label_map", check_label_map(project, label_map))


def set_retrain_every(project: Project, every: int) -> None:
    """Train again in the window after this many more accepted documents (0: never)."""
    _store(project, "retrain_every", check_retrain_every(every))


def map_label(project: Project, model_label: str, target: str) -> None:
    """Change one entry of the label mapping."""
    set_label_map(project, {**project.config.model.label_map, model_label: target})


def set_overlap(project: Project, overlap: int) -> None:
    """How many annotators annotate each document (1: each document once)."""
    _store(project, "overlap", check_overlap(overlap))


def change_settings(
    project: Project,
    *,
    pipeline: str | None = None,
    patterns: list[str] | None = None,
    label_map: dict[str, str] | None = None,
    overlap: int | None = None,
    retrain_every: int | None = None,
) -> list[str]:
    """`tagdesk settings` and the window's Project settings: change the given settings (None: leave it). Every
    value is checked before any is stored, so a bad one changes nothing; only those that differ are written
    (each with its event). Returns the keys changed."""
    project.refresh()
    cfg = project.config
    wanted: dict[str, Any] = {}
    if pipeline is not None:
        wanted["pipeline"] = check_pipeline(pipeline)
    if patterns is not None:
        wanted["patterns"] = check_patterns(patterns)
    if label_map is not None:
        wanted["label_map"] = check_label_map(project, label_map)
    if overlap is not None:
        wanted["overlap"] = check_overlap(overlap)
    if retrain_every is not None:
        wanted["retrain_every"] = check_retrain_every(retrain_every)
    now = {
        "pipeline": cfg.model.pipeline,
        "patterns": list(cfg.model.patterns),
        "label_map": dict(cfg.model.label_map),
        "overlap": cfg.overlap,
        "retrain_every": cfg.model.retrain_every,
    }
    changed = [key for key, value in wanted.items() if value != now[key]]
    for key in changed:
        _store(project, key, wanted[key])
    return changed
