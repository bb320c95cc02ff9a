"""spaCy DocBin (`.spacy`): what `spacy train` reads. Entities are set on every document (tokens outside them are
O, since an accepted document is a complete annotation); each document's status and meta ride in `user_data`
under "tagdesk", so a Tagdesk export comes back whole. A DocBin written elsewhere imports as accepted when every token
of a document carries an entity value (B, I or O), as pending (a partial annotation) when some tokens' values
are missing (ent_iob 0), else as a plain document. Every document keeps its tokens. Only accepted documents mark
the tokens outside their spans O; in others those tokens are missing (unknown) for spaCy, never O.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ImportFileError
from ..store import NewDocument
from ..tokens import of_doc, pack
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._read import check_spans, text_problem

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Tokens, whitespace and entities: all NER training needs, and ~8x faster to serialise than the default set.
ATTRS = ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"]
KEY = "tagdesk"


class SpacyWriter:
    """Builds one DocBin. Each document's user data is packed here with one msgpack packer: DocBin.add packs it
    with a fresh packer per document, which looks up srsly's encoder registry each time (about half the time
    of an export). The bytes written are the same as DocBin.add's."""

    def __init__(self, path: Path, ctx: WriteContext) -> None:
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        self.path = path
        self.bin = DocBin(attrs=ATTRS, store_user_data=False)
        self.packer = Packer(use_bin_type=True)
        self.user_data: list[bytes | None] = []  # DocBin.user_data's type

    def add(self, item: ExportItem) -> None:
        doc = item.tokens
        ents = []
        for s, e, label in item.spans:
            span = doc.char_span(s, e, label=label)
            if span is None:  # the export driver put every span on token boundaries: a bug, not bad input
                raise AssertionError(f"document {item.doc.id}: span {s}-{e} is not on token boundaries")
            ents.append(span)
        # accepted = complete: every other token is O; otherwise the rest is unknown (missing), not O
        doc.set_ents(ents, default="outside" if item.doc.status == "accepted" else "missing")
        self.bin.add(doc)
        self.user_data.append(self.packer.pack({KEY: {"status": item.doc.status, "meta": item.doc.meta}}))

    def finish(self) -> None:
        self.bin.store_user_data = True
        self.bin.user_data = self.user_data
        self.path.write_bytes(self.bin.to_bytes())


def _docs(path: Path, data: bytes) -> Iterator[Doc]:
    """The DocBin's documents one at a time; a cut or foreign file -> ImportFileError."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        yield from DocBin().from_bytes(data).get_docs(Vocab())
    except Exception as exc:  # noqa: BLE001 - zlib/msgpack raise many kinds on a cut or foreign file
        raise ImportFileError(
            path,
            None,
            f"is not a spaCy DocBin, or is cut short ({exc.__class__.__name__}); "
            "write it with DocBin.to_disk or tagdesk export --format spacy",
        ) from None


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, None, f"cannot be read ({exc.strerror})") from None
    if not data:
        raise ImportFileError(path, None, "is empty: expected a spaCy DocBin (.spacy)")
    out: list[NewDocument] = []
    for n, doc in enumerate(_docs(path, data), start=1):
        text = doc.text  # (made from the tokens each time it is asked for)
        problem = text_problem(text)
        if problem:
            raise ImportFileError(path, None, f"document {n}: {problem}")
        extra = doc.user_data.get(KEY)
        if not isinstance(extra, dict):
            extra = {}
        meta: dict[str, Any] = extra["meta"] if isinstance(extra.get("meta"), dict) else {}
        tokens = pack(of_doc(doc), len(text))
        annotated = doc.has_annotation("ENT_IOB") or extra.get("status")
        if not annotated:
            out.append(NewDocument(text=text, meta=meta, line=n, tokens=tokens))
            continue
        spans, lost = check_spans(
            path, None, text, [(e.start_char, e.end_char, e.label_) for e in doc.ents], options.skipped
        )
        status = extra.get("status")
        if not status:
            # tokens whose entity value is missing (ent_iob 0) are unknown, not O: the annotation is partial
            partial = lost or 0 in doc.to_array("ENT_IOB")
            status = "pending" if partial else "accepted"
        out.append(NewDocument(text=text, meta=meta, line=n, spans=spans, status=status, tokens=tokens))
    if not out:
        raise ImportFileError(path, None, "holds no documents")
    return out


register(
    Format(
        "spacy",
        (".spacy",),
        "spaCy DocBin for spacy train (train.spacy + dev.spacy with --dev)",
        read=read,
        write=SpacyWriter,
        cannot_carry=(),
        tokens=True,
        suffix=".spacy",
    )
)
