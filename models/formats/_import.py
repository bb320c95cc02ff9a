"""The import driver: read a whole file with its format's reader, check statuses and labels against the project,
then store it in one transaction (origin "import"). Nothing is stored when any check fails; with `add_labels`
unknown labels are checked first and added to the project's labels (in its database) after the documents are stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..collector import collector_paused
from ..db.tables import Status
from ..errors import ConfigError, DocumentValueError, ImportFileError
from ..store import add_documents
from ..team import RESERVED_PREFIX, check_person, is_person
from . import Format, ProgressFn, ReadOptions, guess_format
from ._read import short

if TYPE_CHECKING:
    from ..project import Project

STATUSES = {s.value for s in Status}


@dataclass
class ImportReport:
    path: Path
    format: str
    added: int = 0
    duplicates: int = 0
    duplicate_lines: list[int] = field(default_factory=list)
    annotated: int = 0
    joined: int = 0  # annotations added to documents already in the project (another annotator's work)
    annotators: list[str] = field(default_factory=list)  # whose annotations the file held
    skipped: Counter[str] = field(default_factory=Counter)
    new_labels: list[str] = field(default_factory=list)
    import_id: int | None = None  # the import run that stored it
    offsets: str = ""  # doccano, Label Studio: the offset convention used and how it was chosen
    attached: int = 0  # annotations stored on texts already in the project
    not_attached: list[tuple[int | None, str]] = field(default_factory=list)  # (line, why)
    repeated: list[tuple[int | None, int | None]] = field(default_factory=list)  # (line, first line)


def check_new_labels(labels: list[str]) -> None:
    """Refuse names that cannot be labels before anything is stored (ConfigError names the first)."""
    from ..errors import TagdeskError
    from ..labels import _checked

    for name in labels:
        try:
            _checked(name, "#000000", "")
        except TagdeskError as exc:
            raise ConfigError(f"cannot add label {short(name)}: {exc}") from None


def import_file(
    project: Project,
    path: Path,
    fmt: Format | None = None,
    options: ReadOptions | None = None,
    *,
    add_labels: bool = False,
    annotator: str | None = None,
    on_progress: ProgressFn | None = None,
) -> ImportReport:
    """Import one file (or brat folder) into `project`: all of it, or nothing (ImportFileError names file:line).

    Unknown labels are an error naming the label, unless `add_labels` (then they are added to the project).
    Annotations are stored as the annotator the file names for each (Prodigy sessions, Label Studio users,
    doccano users), else as `annotator` (default: the project's). Returns counts, duplicates and what the
    reader skipped.
    """
    with collector_paused():
        return _import_file(
            project, path, fmt, options, add_labels=add_labels, annotator=annotator, on_progress=on_progress
        )


def _import_file(
    project: Project,
    path: Path,
    fmt: Format | None,
    options: ReadOptions | None,
    *,
    add_labels: bool,
    annotator: str | None,
    on_progress: ProgressFn | None,
) -> ImportReport:
    fmt = fmt or guess_format(path)
    if fmt.read is None:
        raise ImportFileError(path, None, f"format {fmt.name!r} can be exported but not imported")
    options = options or ReadOptions()
    docs = fmt.read(path, options)
    project.refresh()  # labels another desktop added count as known
    known = set(project.config.label_names)
    # label -> (file, line) where a reader saw it first; else the line of the first document using it
    label_lines: dict[str, tuple[Path, int]] = options.extra.get("label_lines", {})
    unknown: dict[str, tuple[Path, int | None]] = {}
    for doc in docs:
        if doc.status is not None and doc.status not in STATUSES:
            raise ImportFileError(
                path, doc.line, f"status {short(doc.status)} is not one of {', '.join(sorted(STATUSES))}"
            )
        for _s, _e, label in doc.spans or ():
            if label not in known and label not in unknown:
                unknown[label] = label_lines.get(label, (path, doc.line))
    owner = check_person(annotator, "--annotator") if annotator else project.annotator
    for doc in docs:
        if doc.annotator is not None and not is_person(doc.annotator):
            raise ImportFileError(
                path,
                doc.line,
                f"annotator {short(doc.annotator)} starts with {RESERVED_PREFIX!r}, which Tagdesk keeps for "
                "the reviewed (gold) annotation; rename that annotator in the file",
            )
    annotators = sorted({d.annotator or owner for d in docs if d.spans is not None or d.status})
    if unknown:
        first, (where, line) = next(iter(unknown.items()))
        if not add_labels:
            others = f" (and {len(unknown) - 1} more: {', '.join(list(unknown)[1:6])})" if len(unknown) > 1 else ""
            raise ImportFileError(
                where,
                line,
                f"label {short(first)} is not a label of this project{others}; the project "
                f"has {', '.join(sorted(known))}. Add it (tagdesk labels DIR add NAME), or import "
                "with --add-labels",
            )
        check_new_labels(list(unknown))
    with project.writing() as session:
        try:
            result = add_documents(docs, session=session, source=path.name, annotator=owner, on_progress=on_progress)
        except DocumentValueError as exc:
            raise ImportFileError(path, exc.line, exc.reason) from None
    if unknown:
        from ..labels import add_labels as add_project_labels

        add_project_labels(project, [name for name in unknown if name not in project.config.label_names])
    return ImportReport(
        path=path,
        format=fmt.name,
        added=result.added,
        duplicates=result.duplicates,
        duplicate_lines=result.duplicate_lines,
        annotated=result.annotated,
        joined=result.joined,
        annotators=annotators,
        skipped=options.skipped,
        new_labels=list(unknown),
        import_id=result.import_id,
        offsets=options.offsets_used,
        attached=result.attached,
        not_attached=result.not_attached,
        repeated=result.repeated,
    )
