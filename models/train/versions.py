"""Trained pipelines of a project: `DIR/pipelines/NNN/`, numbered in order, each a spaCy pipeline folder
(`nlp.to_disk`) with `tagdesk.json` beside spaCy's meta: when, from what, how many documents, the scores, the
learning curve and the evaluation set's hash.

A folder appears whole or not at all: it is written as `.NNN.partial` and renamed when complete, so a cancelled or
failed run leaves nothing behind (a stale `.partial` of a killed run is removed by the next run).
"Using" a version points the project's suggester at it: the shared setting `pipeline = "pipelines/NNN"`, in the
database, so every desktop of a team suggests with it.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TrainingError
from ..project import Project

if TYPE_CHECKING:
    from spacy.language import Language

FOLDER = "pipelines"
META = "tagdesk.json"
_NUMBER = re.compile(r"^\d{3,}$")


@dataclass(frozen=True)
class ModelVersion:
    number: int
    path: Path
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.number:03d}"

    @property
    def pipeline_setting(self) -> str:
        """What `model.pipeline` says to use this version (relative to the project folder)."""
        return f"{FOLDER}/{self.name}"

    @property
    def f(self) -> float | None:
        scores = self.meta.get("scores") or {}
        return float(scores["f"]) if isinstance(scores.get("f"), (int, float)) else None


def pipelines_dir(project: Project) -> Path:
    return project.folder / FOLDER


def list_versions(project: Project) -> list[ModelVersion]:
    """Every complete trained pipeline of the project, oldest first."""
    root = pipelines_dir(project)
    if not root.is_dir():
        return []
    out = []
    for child in sorted(root.iterdir()):
        if not (child.is_dir() and _NUMBER.match(child.name) and (child / "config.cfg").is_file()):
            continue
        out.append(_version(child))
    return sorted(out, key=lambda v: v.number)


def latest_version(project: Project) -> ModelVersion | None:
    """The newest complete trained pipeline (reading only its meta), or None."""
    root = pipelines_dir(project)
    if not root.is_dir():
        return None
    for child in sorted((p for p in root.iterdir() if _NUMBER.match(p.name)), key=lambda p: int(p.name), reverse=True):
        if child.is_dir() and (child / "config.cfg").is_file():
            return _version(child)
    return None


def _version(child: Path) -> ModelVersion:
    try:
        meta = json.loads((child / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    return ModelVersion(int(child.name), child, meta if isinstance(meta, dict) else {})


def current_version(project: Project) -> ModelVersion | None:
    """The trained version the project's suggester uses, or None (an installed pipeline, or none)."""
    asked = project.config.model.pipeline.strip()
    if not asked:
        return None
    target = (project.folder / asked).resolve()
    for version in list_versions(project):
        if version.path.resolve() == target:
            return version
    return None


def get_version(project: Project, number: int) -> ModelVersion:
    for version in list_versions(project):
        if version.number == number:
            return version
    known = ", ".join(v.name for v in list_versions(project)) or "none yet; train one with: tagdesk train DIR"
    raise TrainingError(f"{pipelines_dir(project)}: no trained pipeline {number:03d} (trained: {known})")


def _next_number(root: Path) -> int:
    used = [int(p.name.lstrip(".").split(".")[0]) for p in root.iterdir() if re.match(r"^\.?\d{3,}", p.name)]
    return max(used, default=0) + 1


def write_version(project: Project, nlp: Language, meta: dict[str, Any]) -> ModelVersion:
    """Save a trained pipeline as the next `pipelines/NNN/` (whole, or nothing)."""
    root = pipelines_dir(project)
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    number = _next_number(root)
    final = root / f"{number:03d}"
    partial = root / f".{number:03d}.partial"
    meta = {**meta, "number": number}
    nlp.meta["name"] = f"tagdesk_{number:03d}"
    nlp.meta["version"] = f"0.0.{number}"
    nlp.meta["description"] = f"Trained by Tagdesk for project {project.config.project.name}"
    try:
        nlp.to_disk(partial)
        (partial / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ModelVersion(number, final, meta)


def use_version(project: Project, version: ModelVersion) -> None:
    """Make `version` the project's suggestion pipeline (the shared `pipeline` setting); `project.config` follows.
    The suggestion cache key follows the pipeline, so undecided documents get new suggestions; what annotators
    decided stays as they decided it."""
    from ..settings import set_pipeline

    set_pipeline(project, version.pipeline_setting)
