"""The export driver: reads annotated documents, puts tokens under them for token formats, checks that every
span falls on token boundaries (or moves it with `align`), and feeds the format's writer. Files are written
under a temporary name and renamed at the end, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..collector import collector_paused
from ..errors import TagdeskError
from ..split import dev_hashes
from ..store import AnnotatedDocument, export_plan, iter_annotated_documents, text_hash
from ..tokens import doc_bounds, of_doc, spacy_doc, unpack
from . import Format
from ._align import align
from ._offsets import CONVENTIONS
from ._read import short
from ._tokens import blank, pipeline_language

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from ..project import Project

SpanTuple = tuple[int, int, str]
Problem = tuple[AnnotatedDocument, SpanTuple, str]  # a document, its span, why it cannot be written

STATUSES = ("accepted", "rejected", "ignored", "pending")
SHOW_PROBLEMS = 10


class AlignmentError(TagdeskError):
    """Spans whose edges are not token boundaries, listed; nothing was written."""


@dataclass
class ExportItem:
    """One document as a writer gets it: spans already on token boundaries for token formats, whose tokens are
    `bounds` (flat start, end, ...: the document's own tokens, or its tokenizer's) and, built when a writer asks
    for it, `tokens` (the spaCy Doc of those tokens)."""

    doc: AnnotatedDocument
    spans: list[SpanTuple]
    doc_tokens: Doc | None = None  # if one was made already
    bounds: Sequence[int] | None = None
    nlp: Language | None = None

    @property
    def tokens(self) -> Doc:
        if self.doc_tokens is None:
            self.doc_tokens = spacy_doc(self.nlp, self.doc.text, self.doc.tokens)
        return self.doc_tokens

    def token_bounds(self) -> Sequence[int]:
        if self.bounds is None:
            self.bounds = of_doc(self.tokens)
        return self.bounds


@dataclass
class WriteContext:
    labels: list[str]
    annotator: str
    nlp: Language | None = None  # blank spaCy pipeline (token formats)
    offsets: str = "codepoints"  # doccano, Label Studio: the offset convention to write (see _offsets.py)


class Writer(Protocol):
    def add(self, item: ExportItem) -> None: ...
    def finish(self) -> None: ...


@dataclass
class ExportResult:
    documents: int = 0
    spans: int = 0
    changed: int = 0  # spans moved to token boundaries by --align
    files: list[Path] = field(default_factory=list)
    split: dict[str, int] = field(default_factory=dict)  # with dev: documents per part
    conflicts: int = 0  # documents left out: annotators differ and no reviewer decided


def default_out(folder: Path, fmt: Format, dev: float | None) -> Path:
    """Where an export goes when no --out is given: the project's exports/ folder."""
    if dev or not fmt.suffix:
        return folder / "exports" / fmt.name
    return folder / "exports" / f"{fmt.name}{fmt.suffix}"


def split_hashes(hashes: Sequence[str], dev: float, seed: int) -> set[str]:
    """The text hashes of the dev part of a train/dev split (`models.split`: stable as the project grows)."""
    if not 0 < dev < 1:
        raise TagdeskError(f"--dev {dev}: give the dev fraction between 0 and 1, e.g. --dev 0.2")
    if len(hashes) < 2:
        raise TagdeskError(f"--dev needs at least 2 documents to split, found {len(hashes)}")
    return dev_hashes(hashes, dev, seed)


def export_project(
    project: Project,
    fmt: Format,
    out: Path | None = None,
    *,
    statuses: Sequence[str] = ("accepted",),
    annotator: str | None = None,
    align_mode: str | None = None,
    dev: float | None = None,
    seed: int = 0,
    offsets: str = "codepoints",
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write a project's documents in format `fmt`.

    `statuses` chooses documents by their status. Without `annotator`, each document is the team's: its gold
    annotation where a reviewer decided one, else what the annotators who decided it agree on; documents where
    they differ unreviewed are left out and counted (`ExportResult.conflicts`). With `annotator`, that
    annotator's own annotations.
    `align_mode` None refuses spans that are not on token boundaries (AlignmentError lists them); "expand" or
    "contract" moves them. `dev` (a fraction) with `seed` writes OUT/train.* and OUT/dev.*, each document on the
    side `models.split` puts it (by a hash of its text: stable as the project grows). `offsets`: the offset
    convention doccano and Label Studio files are written in (codepoints, utf16, graphemes).
    Returns counts and the files written. Nothing is left behind when it raises.
    """
    if fmt.write is None:
        raise TagdeskError(f"format {fmt.name!r} can be imported but not exported")
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise TagdeskError(f"unknown status {bad[0]!r}; choose from {', '.join(STATUSES)}")
    if align_mode not in (None, "expand", "contract"):
        raise TagdeskError(f"--align {align_mode}: choose expand or contract")
    out = Path(out) if out else default_out(project.folder, fmt, dev)
    if out.is_dir() and fmt.suffix and not dev:  # --out names a folder: write FORMAT.suffix inside it
        out = out / f"{fmt.name}{fmt.suffix}"
    if out.exists() and not out.is_dir() and (dev or not fmt.suffix):
        raise TagdeskError(f"{out} is a file; {'--dev' if dev else fmt.name} writes a folder: name a folder with --out")
    with project.session() as session:
        ids, conflicts = export_plan(session=session, annotator=annotator, statuses=statuses)
    if not ids:
        whose = f" of annotator {annotator!r}" if annotator else ""
        differ = (
            f" ({conflicts} where annotators differ wait for review: tagdesk open {project.folder} --review)"
            if conflicts
            else ""
        )
        raise TagdeskError(
            f"no {'/'.join(statuses)} documents{whose} to export{differ}; "
            "annotate some first, or choose others with --include or --annotator"
        )
    dev_ids = split_hashes([h for _id, h in ids], dev, seed) if dev else set()
    if offsets not in CONVENTIONS:
        raise TagdeskError(f"--offsets {offsets}: choose one of {', '.join(CONVENTIONS)}")
    ctx = WriteContext(labels=project.config.label_names, annotator=annotator or project.annotator, offsets=offsets)
    if fmt.tokens:
        ctx.nlp = blank(pipeline_language(project.config.model.pipeline, project.folder))
    parts = {"train": out / f"train{fmt.suffix}", "dev": out / f"dev{fmt.suffix}"} if dev else {"": out}
    staging = {part: _staging_path(path) for part, path in parts.items()}
    created = [p for p in {tmp.parent for tmp in staging.values()} if not p.exists()]
    writers: dict[str, Writer] = {}
    done = False
    try:
        for part, tmp in staging.items():
            tmp.parent.mkdir(parents=True, exist_ok=True)
            writers[part] = fmt.write(tmp, ctx)
        with collector_paused():
            result = _feed(
                project, fmt, writers, ctx, dev_ids, annotator, statuses, align_mode, len(ids), on_progress, should_stop
            )
        result.conflicts = conflicts
        for w in writers.values():
            w.finish()
        for part, tmp in staging.items():
            _move(tmp, parts[part])
            result.files.append(parts[part])
        done = True
    finally:
        for w in writers.values():
            close = getattr(w, "close", None)
            if close:
                close()
        for tmp in staging.values():
            _remove(tmp)
        if not done:
            for folder in created:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    return result


def _feed(
    project: Project,
    fmt: Format,
    writers: dict[str, Writer],
    ctx: WriteContext,
    dev_ids: set[str],
    annotator: str | None,
    statuses: Sequence[str],
    align_mode: str | None,
    total: int,
    on_progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool] | None,
) -> ExportResult:
    result = ExportResult()
    problems: list[Problem] = []
    n_problems = 0
    tokenize = ctx.nlp.tokenizer if ctx.nlp is not None else None  # not make_doc: no length limit (E088)
    with project.session() as session:
        for doc in iter_annotated_documents(session=session, annotator=annotator, statuses=statuses):
            if should_stop and should_stop():
                raise TagdeskError("export cancelled; nothing was written")
            spans, tokens, flat = doc.spans, None, None
            if tokenize is not None:  # the document's own tokens when it came with them, else its tokenizer's
                if doc.tokens is not None:
                    flat = doc_bounds(doc.text, unpack(doc.tokens, len(doc.text)))
                else:
                    tokens = tokenize(doc.text)
                    flat = of_doc(tokens)
                spans, bad, changed = align(doc.text, flat, doc.spans, align_mode)
                result.changed += changed
                if bad:
                    n_problems += len(bad)
                    problems.extend((doc, span, why) for span, why in bad[: SHOW_PROBLEMS - len(problems)])
                    continue
            if n_problems:
                continue
            part = ("dev" if text_hash(doc.text) in dev_ids else "train") if dev_ids else ""
            writers[part].add(ExportItem(doc, spans, tokens, flat, ctx.nlp))
            result.documents += 1
            result.spans += len(spans)
            if part:
                result.split[part] = result.split.get(part, 0) + 1
            if on_progress and result.documents % 500 == 0:
                on_progress(result.documents, total)
    if n_problems:
        raise AlignmentError(_describe(problems, n_problems, fmt))
    if on_progress:
        on_progress(result.documents, total)
    return result


def _describe(problems: list[Problem], n: int, fmt: Format) -> str:
    shown = "; ".join(
        f"document {doc.id} {s}-{e} {label} {short(doc.text[s:e])} ({why})" for doc, (s, e, label), why in problems
    )
    more = f"; and {n - len(problems)} more" if n > len(problems) else ""
    return (
        f"{n} span{'s' if n != 1 else ''} cannot be written as {fmt.name} tokens: {shown}{more}. "
        "Nothing was written: fix them in the annotation window, or export with --align expand "
        "(grow each to whole tokens) or --align contract (shrink each)"
    )


def _staging_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tagdesk-tmp")


def _move(tmp: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if tmp.is_dir():
        if dest.is_dir() and not any(dest.iterdir()):
            dest.rmdir()
        if not dest.exists():  # one rename of the whole folder, not one per file (two per brat document)
            tmp.replace(dest)
            return
        if (dest / "annotation.conf").exists():  # a previous brat export: its documents are replaced, not mixed
            for old in [*dest.glob("*.txt"), *dest.glob("*.ann")]:
                old.unlink()
        for child in tmp.iterdir():
            child.replace(dest / child.name)
    else:
        tmp.replace(dest)


def _remove(tmp: Path) -> None:
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    elif tmp.exists():
        tmp.unlink()
