"""The project's labels: add, rename, recolour, change the key, reorder, remove (the window and `tagdesk labels`
call these; one implementation).

Labels live in the project's database, shared by every desktop on it. Each function checks its input (the same
rules as tagdesk.toml: a name without edge spaces, a colour like "#4e79a7", one key that is not a document key),
makes one committed change with its events (`models.store.labels`), and refreshes `project.config`.
Renaming a label renames its spans (and the label mapping's entries) in the same transaction; removing a label
that spans carry is refused unless `with_spans=True`, and the error says how many spans there are.
"""

from __future__ import annotations

from pydantic import ValidationError

from . import store
from .config import DROP, LABEL_KEYS, PALETTE, Label
from .errors import TagdeskError
from .project import Project
from .store.labels import LabelUsage
from .suggest.carry import rename_carry


class LabelInUseError(TagdeskError):
    """Removing a label that spans carry, without saying that they go too."""

    def __init__(self, name: str, usage: LabelUsage) -> None:
        self.name = name
        self.usage = usage
        super().__init__(
            f"{name} is on {describe_usage(usage)}; removing the label removes them too. "
            "Relabel them first, or confirm (tagdesk labels ... remove --with-spans)"
        )


def describe_usage(usage: LabelUsage) -> str:
    """ "12 entities in 5 documents (2 annotators)"."""
    text = f"{usage.spans:,} entit{'y' if usage.spans == 1 else 'ies'} in {usage.documents:,} document"
    text += "" if usage.documents == 1 else "s"
    if usage.annotators > 1:
        text += f" ({usage.annotators} annotators)"
    return text


def _checked(name: str, color: str, key: str) -> Label:
    try:
        return Label(name=name, color=color, key=key)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "label"
        msg = err["msg"].removeprefix("Value error, ")
        given = repr(err.get("input"))
        raise TagdeskError(msg if given in msg else f"{field} {given}: {msg}") from None


def next_color(project: Project) -> str:
    """The first palette colour no label uses (the palette again when all are used)."""
    used = {lab.color for lab in project.config.labels}
    return next((c for c in PALETTE if c not in used), PALETTE[len(project.config.labels) % len(PALETTE)])


def next_key(project: Project) -> str:
    """The first of 1-9, 0 no label uses ("" when all are taken)."""
    used = {lab.key for lab in project.config.labels}
    return next((k for k in LABEL_KEYS if k not in used), "")


def _get(project: Project, name: str) -> Label:
    project.refresh()
    found = project.config.label(name)
    if found is None:
        raise TagdeskError(f"{name!r} is not a label of this project; it has {', '.join(project.config.label_names)}")
    return found


def add_label(project: Project, name: str, *, color: str | None = None, key: str | None = None) -> Label:
    """Add a label at the end of the label bar; colour and key default to the next free ones."""
    project.refresh()
    label = _checked(name, color or next_color(project), next_key(project) if key is None else key)
    with project.writing() as s:
        store.insert_label(label.name, label.color, label.key, session=s, annotator=project.annotator)
    project.refresh()
    return label


def add_labels(project: Project, names: list[str]) -> list[Label]:
    """Add several labels in order (an import's --add-labels), each with the next colour and key."""
    return [add_label(project, name) for name in names]


def rename_label(project: Project, name: str, new_name: str) -> int:
    """Rename a label and every span carrying it, in one transaction; returns how many spans were renamed.
    The label mapping follows: what mapped to the old name maps to the new one."""
    label = _get(project, name)
    renamed = _checked(new_name, label.color, label.key)
    if renamed.name == name:
        return 0
    label_map = {src: (renamed.name if dst == name else dst) for src, dst in project.config.model.label_map.items()}
    label_map.setdefault(name, renamed.name)  # a model label of the old name keeps arriving under the new one
    label_map = {src: dst for src, dst in label_map.items() if src != dst}  # X -> X is what no entry means
    # the cached suggestions follow, renamed, when that is what the suggester would make (no spaCy run again)
    carry = rename_carry(project, name, renamed.name, label_map)
    with project.writing() as s:
        _b, _a, count = store.change_label(
            name,
            new_name=renamed.name,
            label_map=label_map,
            suggestions=carry,
            session=s,
            annotator=project.annotator,
        )
    project.refresh()
    return count


def recolor_label(project: Project, name: str, color: str) -> Label:
    label = _get(project, name)
    changed = _checked(name, color, label.key)
    with project.writing() as s:
        store.change_label(name, color=changed.color, session=s, annotator=project.annotator)
    project.refresh()
    return changed


def rekey_label(project: Project, name: str, key: str) -> Label:
    """Give a label another shortcut key ("" for none)."""
    label = _get(project, name)
    changed = _checked(name, label.color, key)
    with project.writing() as s:
        store.change_label(name, key=changed.key, session=s, annotator=project.annotator)
    project.refresh()
    return changed


def move_label(project: Project, name: str, position: int) -> list[str]:
    """Put a label at `position` (0 = first) in the label bar; returns the new order."""
    _get(project, name)
    with project.writing() as s:
        order = store.move_label(name, position, session=s, annotator=project.annotator)
    project.refresh()
    return order


def label_usage(project: Project, name: str) -> LabelUsage:
    with project.session() as s:
        return store.label_usage(name, session=s)


def remove_label(project: Project, name: str, *, with_spans: bool = False) -> int:
    """Remove a label; returns how many spans went with it. A label that spans carry raises LabelInUseError
    (saying how many) unless `with_spans`. Mappings to it become "drop"."""
    _get(project, name)
    usage = label_usage(project, name)
    if usage.spans and not with_spans:
        raise LabelInUseError(name, usage)
    label_map = {src: (DROP if dst == name else dst) for src, dst in project.config.model.label_map.items()}
    with project.writing() as s:
        _row, removed = store.delete_label(name, label_map=label_map, session=s, annotator=project.annotator)
    project.refresh()
    return removed
