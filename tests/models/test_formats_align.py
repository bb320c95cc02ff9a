"""The bisection aligner and tag writer for exports agree with spaCy's Doc.char_span and offsets_to_biluo_tags
(which they replace for speed) on every span of varied texts."""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training import biluo_to_iob, offsets_to_biluo_tags

from models.formats import _align
from models.tokens import of_doc

NLP = spacy.blank("en")
TEXTS = [
    "Li Qiang met Putin in Beijing.  Then   he left.\n\nA new paragraph, with (brackets) and 😀 emoji.",
    " Leading space, trailing space. ",
    "Zoe\u0301 moved to Paris.\r\nShe works at Google.",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEXTS), st.data())
def test_char_span_modes_match_spacy(text, data):
    doc = NLP.make_doc(text)
    flat = of_doc(doc)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    for mode in ("strict", "expand", "contract"):
        span = doc.char_span(start, end, alignment_mode=mode)
        want = (span.start_char, span.end_char) if span is not None and len(span) else None
        assert _align.char_span(flat[0::2], flat[1::2], start, end, mode) == want, (mode, start, end)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TEXTS), st.data())
def test_tags_match_spacys_encoder(text, data):
    doc = NLP.make_doc(text)
    flat = of_doc(doc)
    words = [(t.idx, t.idx + len(t)) for t in doc if not t.is_space]
    picks = sorted(set(data.draw(st.lists(st.integers(0, len(words) - 1), max_size=6))))
    spans, last = [], -1
    for k in picks:  # non-overlapping spans of one or two tokens
        if k > last:
            stop = min(k + data.draw(st.integers(0, 1)), len(words) - 1)
            spans.append((words[k][0], words[stop][1], "X"))
            last = stop
    biluo = offsets_to_biluo_tags(doc, spans)
    assert _align.tags(text, flat, spans, "biluo") == biluo
    assert _align.tags(text, flat, spans, "iob") == biluo_to_iob(biluo)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TEXTS), st.data())
def test_doc_bounds_are_the_tokens_of_the_doc_built_from_a_documents_own_tokens(text, data):
    """Any subset of a text's non-space tokens as a document's own tokens: the export's token boundaries are
    those of the spaCy Doc built from them (gap tokens included), with or without building it."""
    from models.tokens import doc_bounds, pack, spacy_doc

    words = [(t.idx, t.idx + len(t)) for t in NLP.make_doc(text) if not t.is_space]
    keep = sorted(set(data.draw(st.lists(st.integers(0, len(words) - 1), min_size=1))))
    flat = [x for k in keep for x in words[k]]
    doc = spacy_doc(NLP.vocab, text, pack(flat, len(text)))
    assert doc.text == text
    assert doc_bounds(text, flat) == of_doc(doc)
