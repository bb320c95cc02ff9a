"""Texts over spaCy's 1,000,000-character limit (E088): suggestions in pieces with bounded memory, tokens for
export without the limit, `tagdesk suggest` and every `tagdesk export` format on a 3 MB document."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from suggest_support import add_texts, configure, long_text, positions, save_pipeline, stored, write_patterns

from models import store
from models.suggest import load_suggester, model_key, suggest_documents
from models.suggest.pieces import BATCH_CHARACTERS, PIECE, cut_pieces


def test_pieces_cover_the_text_and_are_cut_where_it_pauses():
    text = ("Word " * 1200 + "\n\n") * 5 + "一二三四五六七八九十" * 8000 + "x\u0301" * 30_000
    cuts = cut_pieces(text, 10_000)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a == prev_end for (a, _b), (_a, prev_end) in zip(cuts[1:], cuts, strict=False))
    assert all(0 < b - a <= 10_000 for a, b in cuts)
    assert text[cuts[0][1] - 2 : cuts[0][1]] == "\n\n"  # the first cut at a paragraph break
    assert all(text[b] != "\u0301" for _a, b in cuts[:-1])  # never between a letter and its accent
    assert cut_pieces("short") == [(0, 5)]


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.sampled_from(["Ada", "Lovelace", "met", "Bob", ".", "\n", "\n\n", "zzzzzzzzzz"]), max_size=400),
    picks=st.lists(st.tuples(st.integers(0, 399), st.integers(1, 6)), max_size=40),
    size=st.integers(20, 300),
)
def test_pieces_never_cut_inside_a_kept_span(words, picks, size):
    """The one splitter, as training uses it: no cut inside a kept range (an entity), the pieces cover the text,
    and a piece is longer than `size` only where it ends with a kept range that would not fit."""
    text, starts = "", []
    for w in words:
        starts.append(len(text))
        text += w + ("" if w.startswith("\n") else " ")
    keep = []
    for first, count in picks:
        if first < len(starts):
            last = min(len(starts) - 1, first + count - 1)
            keep.append((starts[first], starts[last] + len(words[last])))
    cuts = cut_pieces(text, size, keep)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a == prev_end for (a, _b), (_a, prev_end) in zip(cuts[1:], cuts, strict=False))
    for _a, b in cuts[:-1]:
        assert not any(s < b < e for s, e in keep), (b, keep)
    for a, b in cuts:
        assert b - a <= size or any(a <= s < a + size <= e and b <= e for s, e in keep), (a, b, keep)


@Language.factory("record_lengths")
def _record_lengths(nlp, name):
    return RecordLengths()


class RecordLengths:
    """A pipeline component that notes the length of every text the pipeline was given."""

    seen: list[int] = []  # shared on purpose: the test reads it

    def __call__(self, doc):
        RecordLengths.seen.append(len(doc.text))
        return doc


@pytest.fixture
def pipeline_project(make_project):
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    save_pipeline(project.folder / "pipe")
    return configure(project, pipeline="./pipe")


def test_a_3_mb_text_gets_every_suggestion_at_its_place_in_bounded_pieces(pipeline_project):
    text = long_text()
    (doc,) = add_texts(pipeline_project, [text])
    suggester = load_suggester(pipeline_project)
    suggester.nlp.add_pipe("record_lengths", first=True)
    RecordLengths.seen = []
    assert suggest_documents(pipeline_project, suggester) == 1
    found = stored(pipeline_project, model_key(pipeline_project), doc)
    by_label = {lab: [(s["start"], s["end"]) for s in found if s["label"] == lab] for lab in ("PERSON", "ORG", "GPE")}
    assert by_label["PERSON"] == positions(text, "Ada Lovelace")
    assert by_label["ORG"] == positions(text, "Acme Corp")
    assert by_label["GPE"] == positions(text, "Paris")
    assert by_label["PERSON"][-1][0] > 2_900_000  # offsets of the whole text, not of a piece
    assert max(RecordLengths.seen) <= PIECE  # no text the pipeline saw was longer than a piece
    assert len(RecordLengths.seen) >= len(text) // PIECE


def test_short_texts_are_suggested_as_before(pipeline_project):
    (doc,) = add_texts(pipeline_project, ["Ada Lovelace met Acme Corp in Paris."])
    suggest_documents(pipeline_project, load_suggester(pipeline_project))
    assert [(s["start"], s["label"]) for s in stored(pipeline_project, model_key(pipeline_project), doc)] == [
        (0, "PERSON"),
        (17, "ORG"),
        (30, "GPE"),
    ]


def test_batches_stay_under_the_character_budget():
    from models.suggest.pieces import batches, pieces_of, pipe_batch_size

    texts = ["short text"] * 100 + [long_text(1_500_000)] + ["short text"] * 5
    groups = list(batches(pieces_of(texts), 64))
    assert [p for g in groups for p in g] == list(pieces_of(texts))  # every piece, in order
    assert all(len(g) <= 64 and (len(g) == 1 or sum(len(p[0]) for p in g) <= BATCH_CHARACTERS) for g in groups)
    assert len(groups[0]) == 64  # short texts still go 64 at a time
    assert pipe_batch_size(64) * PIECE <= BATCH_CHARACTERS and pipe_batch_size(1) == 1


@pytest.fixture
def big_project(make_project):
    """A project (patterns: spacy.blank + a span ruler) with one 3 MB one-paragraph document and a short one."""
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    write_patterns(
        project.folder / "p.jsonl",
        [{"label": "PERSON", "pattern": "Ada Lovelace"}, {"label": "ORG", "pattern": "Acme Corp"}],
    )
    project = configure(project, pipeline="", patterns=["p.jsonl"])
    add_texts(project, [long_text(), "Ada Lovelace in Paris."])
    return project


def test_suggest_and_every_export_of_a_3_mb_document(big_project, cli, tmp_path):
    text = long_text()
    code, _out, err = cli("suggest", big_project.folder, "--quiet")
    assert code == 0, err
    key = model_key(big_project)
    persons = positions(text, "Ada Lovelace")
    assert [(s["start"], s["end"]) for s in stored(big_project, key, 1) if s["label"] == "PERSON"] == persons
    with big_project.writing() as s:  # accepted as suggested (what `a` does in the window)
        spans = [(x["start"], x["end"], x["label"], x["origin"], x["score"]) for x in stored(big_project, key, 1)]
        store.decide(1, "accepted", session=s, annotator=big_project.annotator, add_spans=spans)
    for fmt in ("jsonl", "spacy", "conll", "iob", "biluo", "doccano", "labelstudio", "brat"):
        out = tmp_path / f"out-{fmt}"
        code, _out, err = cli("export", big_project.folder, "--format", fmt, "--out", out)
        assert code == 0, (fmt, err)
        assert "Traceback" not in err
    line = json.loads((tmp_path / "out-jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert len(line["text"]) == 3_000_000 and len(line["tokens"]) > 500_000
    assert [(sp["start"], sp["end"]) for sp in line["spans"] if sp["label"] == "PERSON"] == persons
    import spacy
    from spacy.tokens import DocBin

    (doc,) = DocBin().from_disk(tmp_path / "out-spacy").get_docs(spacy.blank("en").vocab)
    assert [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"] == persons
    conll = (tmp_path / "out-conll").read_text(encoding="utf-8")
    assert conll.count("B-PERSON") == len(persons)
