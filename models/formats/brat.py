"""brat standoff: a folder with `NAME.txt` (the text) and `NAME.ann` (`T1<TAB>LABEL start end<TAB>text` per
entity) for each document, and `annotation.conf` listing the labels.

brat has no status or meta: documents import as accepted, named after their file (meta "file"), and export
under that name when they have one. Import reads a folder, or one `.ann`/`.txt` pair. Discontinuous entities,
event triggers and relations, events, attributes, normalisations, notes and equivalences are skipped and counted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._read import check_spans, read_utf8, short, text_problem

KINDS = {
    "R": "relations",
    "E": "events",
    "A": "attributes",
    "M": "attributes",
    "N": "normalisations",
    "#": "notes",
    "*": "equivalences",
}
SAFE_NAME = re.compile(r"^[\w.-]{1,100}$")
OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


def _flat(span_text: str) -> str:
    """A span's text as an .ann line holds it: line breaks become spaces (as brat writes them)."""
    return span_text.replace("\r", " ").replace("\n", " ")


def _pairs(path: Path) -> list[tuple[Path, Path]]:
    if path.is_dir():
        txts = sorted(path.glob("*.txt"))
        if not txts:
            raise ImportFileError(path, None, "has no .txt files: a brat folder holds NAME.txt + NAME.ann pairs")
        return [(t, t.with_suffix(".ann")) for t in txts]
    if path.suffix in (".ann", ".txt"):
        return [(path.with_suffix(".txt"), path.with_suffix(".ann"))]
    raise ImportFileError(path, None, "is not a brat folder or .ann/.txt file")


def _triggers(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        if line.startswith("E") and "\t" in line:
            first = line.split("\t")[1].split(" ")[0]
            if ":" in first:
                out.add(first.split(":", 1)[1])
    return out


def read_pair(txt: Path, ann: Path, options: ReadOptions) -> NewDocument:
    """One document from a .txt and its .ann (a missing or empty .ann: no entities)."""
    text = read_utf8(txt, keep_bom=True)  # brat counts a leading U+FEFF as a character of the text
    problem = text_problem(text)
    if problem:
        raise ImportFileError(txt, None, problem)
    lines = read_utf8(ann).split("\n") if ann.exists() else []
    triggers = _triggers(lines)
    spans = []
    discontinuous = 0
    labels = options.extra.setdefault("label_lines", {})
    for n, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        kind = line[0]
        if kind != "T":
            if kind not in KINDS:
                raise ImportFileError(
                    ann, n, f"unknown annotation line {line[:40]!r}: brat lines start with T, R, E, A, M, N, # or *"
                )
            options.skipped[KINDS[kind]] += 1
            continue
        parts = line.split("\t", 2)
        if len(parts) < 2 or " " not in parts[1]:
            raise ImportFileError(
                ann, n, f"expected 'T1<TAB>LABEL START END<TAB>text', got {line[:60]!r} (was the line cut short?)"
            )
        label, offsets = parts[1].split(" ", 1)
        if parts[0] in triggers:
            options.skipped["event triggers"] += 1
            continue
        if not OFFSETS.match(offsets):
            raise ImportFileError(ann, n, f"offsets {short(offsets)} are not 'START END' numbers")
        if ";" in offsets:
            options.skipped["discontinuous spans"] += 1
            discontinuous += 1
            continue
        start, end = (int(x) for x in offsets.split(" "))
        check_spans(ann, n, text, [(start, end, label)], options.skipped.__class__())
        if len(parts) > 2 and parts[2] != _flat(text[start:end]):
            raise ImportFileError(
                ann,
                n,
                f"{parts[0]} says {short(parts[2])} but {txt.name} has {short(text[start:end])} at "
                f"{start}-{end}: the offsets do not match the text",
            )
        labels.setdefault(label, (ann, n))
        spans.append((start, end, label))
    kept, lost = check_spans(ann, 1, text, spans, options.skipped)
    lost = lost or discontinuous > 0
    return NewDocument(text=text, meta={"file": txt.stem}, line=1, spans=kept, status="pending" if lost else "accepted")


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    pairs = _pairs(path)
    docs = []
    for k, (txt, ann) in enumerate(pairs, start=1):
        docs.append(read_pair(txt, ann, options))
        if options.on_progress:
            options.on_progress(k, len(pairs))
    return docs


class BratWriter:
    def __init__(self, path: Path, ctx: WriteContext) -> None:
        self.folder = path
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = str(path) + os.sep  # file names joined as strings: a Path per file costs more than its write
        self.labels = list(ctx.labels)
        self.known = set(self.labels)
        self.used: set[str] = set()

    def _name(self, item: ExportItem) -> str:
        name = item.doc.meta.get("file")
        if not (isinstance(name, str) and SAFE_NAME.match(name)) or name in self.used:
            name = f"doc-{item.doc.id:06d}"
        self.used.add(name)
        return name

    def add(self, item: ExportItem) -> None:
        path = self.prefix + self._name(item)
        text = item.doc.text
        with open(path + ".txt", "wb") as fh:
            fh.write(text.encode("utf-8"))
        ann = "".join(f"T{i}\t{label} {s} {e}\t{_flat(text[s:e])}\n" for i, (s, e, label) in enumerate(item.spans, 1))
        with open(path + ".ann", "wb") as fh:
            fh.write(ann.encode("utf-8"))
        for _s, _e, label in item.spans:
            if label not in self.known:
                self.known.add(label)
                self.labels.append(label)

    def finish(self) -> None:
        conf = (
            "[entities]\n" + "".join(f"{lab}\n" for lab in self.labels) + "\n[relations]\n\n[events]\n\n[attributes]\n"
        )
        (self.folder / "annotation.conf").write_text(conf, encoding="utf-8")


def sniff(path: Path, head: str) -> bool:
    return (
        (path.is_dir() and any(path.glob("*.ann")))
        or path.suffix == ".ann"
        or (path.suffix == ".txt" and path.with_suffix(".ann").is_file())
    )


register(
    Format(
        "brat",
        (".ann",),
        "brat standoff: NAME.txt + NAME.ann per document, in a folder",
        read=read,
        write=BratWriter,
        cannot_carry=("status", "meta"),
        suffix="",
        sniff=sniff,
    )
)
