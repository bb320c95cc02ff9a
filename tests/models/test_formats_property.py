"""Property tests: random texts (astral characters, combining marks, \\r\\n, lone \\r, U+2028, no-break spaces,
a byte-order mark at the start, RTL) with token-aligned spans survive writing and reading back in every format,
and a project exported and imported again through the real commands."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models.formats import ReadOptions, get_format
from models.formats._export import ExportItem, WriteContext
from models.store import AnnotatedDocument

NLP = spacy.blank("en")
PIECES = [
    "a",
    "Zo",
    "e\u0301",
    "n\u0303o",
    "😀",
    "🚀",
    "𝔘𝔫𝔦",
    "👩\u200d💻",
    "שלום",
    "مرحبا",
    "\u05d9\u05e8\u05d5",
    "New",
    "York",
    "42",
    "-",
    "’s",
    ".",
    ",",
    "(",
    "IBM",
    "ß",
    "İ",
    "ǅ",
    "\u0915\u094d\u0937",
    "\u00a0",  # no-break space inside a word
]
# Lone \r (old Mac files), U+2028 (a line separator JSON writers leave raw), no-break space between words.
SEPARATORS = [" ", " ", " ", "\r\n", "\n", "  ", "\t", " \u200f", "\r", "\u2028", "\u00a0"]
STATUSES = ["accepted", "rejected", "ignored", "pending"]

words = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
meta = st.dictionaries(
    st.sampled_from(["source", "n", "note"]),
    st.integers(-5, 5) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=5),
    max_size=2,
)


@st.composite
def documents(draw, with_status=True):
    texts = draw(
        st.lists(
            st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), min_size=1, max_size=12), min_size=1, max_size=3
        )
    )
    out, seen = [], set()
    for k, parts in enumerate(texts):
        text = "".join(w + s for w, s in parts).rstrip(" \t\r\n\u200f\u2028\u00a0")
        if draw(st.integers(0, 4)) == 0:
            text = "\ufeff" + text  # a byte-order mark at the start of the text, as some tools leave it
        if text in seen or not text.lstrip("\ufeff").strip():
            continue
        seen.add(text)
        doc = NLP.make_doc(text)
        solid = [t.i for t in doc if not t.is_space]
        starts = sorted(draw(st.sets(st.sampled_from(solid), max_size=4)))
        spans, last_end = [], -1
        for i in starts:
            if i <= last_end:
                continue
            length = draw(st.integers(0, 2))
            j = max(t for t in solid if i <= t <= i + length)
            if any(i < s <= j for s in starts if s != i):
                j = i
            spans.append((doc[i].idx, doc[j].idx + len(doc[j]), draw(st.sampled_from(["PERSON", "ORG", "GPE"]))))
            last_end = j
        status = draw(st.sampled_from(STATUSES)) if with_status else "accepted"
        out.append(AnnotatedDocument(k + 1, text, draw(meta), status, spans))
    assume(out)
    return out


def _write_read(name, docs):
    fmt = get_format(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{fmt.suffix}"
        writer = fmt.write(path, WriteContext(labels=["PERSON", "ORG", "GPE"], annotator="ann", nlp=NLP))
        for d in docs:
            writer.add(ExportItem(d, d.spans, NLP.make_doc(d.text)))
        writer.finish()
        return fmt.read(path, ReadOptions())


SETTINGS = settings(
    max_examples=int(os.environ.get("TAGDESK_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", ["spacy", "jsonl"])
@SETTINGS
@given(docs=documents())
def test_full_formats_round_trip_everything(name, docs):
    back = _write_read(name, docs)
    for b in back:  # the hashes Tagdesk gave its Prodigy records, kept apart for the next export
        assert b.meta.pop("_prodigy", {"_input_hash": 0, "_task_hash": 0}).keys() == {"_input_hash", "_task_hash"}
    assert [(b.text, b.spans, b.status, b.meta) for b in back] == [(d.text, d.spans, d.status, d.meta) for d in docs]


@SETTINGS
@given(docs=documents())
def test_labelstudio_round_trip(docs):
    back = _write_read("labelstudio", docs)
    for b, d in zip(back, docs, strict=True):  # the task's id, kept for the next export
        assert b.meta.pop("_labelstudio")["id"] == d.id
    want = [(d.text, d.spans, "ignored" if d.status == "rejected" else d.status, d.meta) for d in docs]
    assert [(b.text, b.spans, b.status, b.meta) for b in back] == want


@SETTINGS
@given(docs=documents(with_status=False))
def test_doccano_round_trip(docs):
    back = _write_read("doccano", docs)
    assert [(b.text, b.spans, b.status, b.meta) for b in back] == [(d.text, d.spans, "accepted", d.meta) for d in docs]


@SETTINGS
@given(docs=documents(with_status=False))
def test_brat_round_trip(docs):
    back = _write_read("brat", docs)
    assert sorted((b.text, b.spans) for b in back) == sorted((d.text, d.spans) for d in docs)


def _solid(text, spans):
    """Non-space tokens of an original document, and each entity's tokens."""
    doc = NLP.make_doc(text)
    ents = []
    for s, e, label in spans:
        ents.append((tuple(t.text for t in doc.char_span(s, e) if not t.is_space), label))
    return [t.text for t in doc if not t.is_space], ents


def _read_tokens(text, spans):
    """Tokens of a text rebuilt from a column file: joined by one space, sentences by a line break."""
    split = lambda t: tuple(re.split("[ \n]", t))  # noqa: E731
    return list(split(text)), [(split(text[s:e]), label) for s, e, label in spans]


@pytest.mark.parametrize("name", ["conll", "iob", "biluo"])
@SETTINGS
@given(docs=documents(with_status=False))
def test_token_formats_round_trip_tokens_and_entities(name, docs):
    back = _write_read(name, docs)
    assert [_read_tokens(b.text, b.spans) for b in back] == [_solid(d.text, d.spans) for d in docs]
    assert {b.status for b in back} == {"accepted"}


EVERY_STATUS = ["accepted", "rejected", "ignored", "pending"]


def _stored(project) -> list[tuple[str, list, str, dict]]:
    from models.store import iter_annotated_documents

    with project.session() as s:
        return [
            (d.text, d.spans, d.status, d.meta)
            for d in iter_annotated_documents(session=s, annotator=project.annotator, statuses=EVERY_STATUS)
        ]


@pytest.mark.parametrize("name", ["jsonl", "spacy"])
@settings(
    max_examples=int(os.environ.get("TAGDESK_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(docs=documents())
def test_a_project_exported_and_imported_again_through_the_real_commands_is_the_same(name, docs):
    """`tagdesk export` then `tagdesk import` into a new project (the real functions behind both commands):
    every text, span, status and meta comes back."""
    from models.formats._export import export_project
    from models.formats._import import import_file
    from models.project import new_project
    from models.store import NewDocument, add_documents

    with tempfile.TemporaryDirectory() as tmp:
        first = new_project(Path(tmp) / "a", ["PERSON", "ORG", "GPE"], annotator="ann")
        with first, first.writing() as s:
            add_documents(
                [NewDocument(d.text, d.meta, spans=d.spans, status=d.status) for d in docs], session=s, annotator="ann"
            )
            out = Path(tmp) / f"out{get_format(name).suffix}"
            export_project(first, get_format(name), out, statuses=EVERY_STATUS)
            before = _stored(first)
        with new_project(Path(tmp) / "b", ["PERSON", "ORG", "GPE"], annotator="ann") as second:
            report = import_file(second, out, get_format(name))
            assert report.added == len(docs)
            # JSONL records carry Prodigy's hashes; an import keeps them beside the meta for the next export
            again = [(t, sp, st, {k: v for k, v in m.items() if k != "_prodigy"}) for t, sp, st, m in _stored(second)]
            assert again == before
