"""Token snapping with spaCy's tokenizer (headless)."""

from __future__ import annotations

import spacy

from desktop.snapping import WINDOW, Snapper


def test_snap_covers_whole_tokens_and_trims_space():
    snap = Snapper(spacy.blank("en").tokenizer)
    text = "President Xi Jinping’s cordial greetings, sent on Wednesday."
    start = text.index("Jinping") + 2
    assert text[slice(*snap.snap(text, start, start + 3))] == "Jinping"
    assert text[slice(*snap.snap(text, text.index("Xi") - 1, text.index("Xi") + 2))] == "Xi"
    assert snap.snap(text, 9, 10) is None  # only a space
    assert text[slice(*snap.token_at(text, text.index("greetings")))] == "greetings"


def test_grow_and_shrink_at_either_side():
    snap = Snapper(spacy.blank("en").tokenizer)
    text = "met Vladimir Putin in Moscow"
    s, e = text.index("Putin"), text.index("Putin") + 5
    assert text[slice(*snap.resize(text, s, e, side="start", grow=True))] == "Vladimir Putin"
    assert text[slice(*snap.resize(text, s, e, side="end", grow=True))] == "Putin in"
    s2, e2 = text.index("Vladimir"), e
    assert text[slice(*snap.resize(text, s2, e2, side="start", grow=False))] == "Putin"
    assert snap.resize(text, s, e, side="end", grow=False) is None  # one token cannot shrink


def test_far_into_a_long_paragraph_tokens_are_the_same_as_for_the_whole_text():
    tok = spacy.blank("en").tokenizer
    text = "Li Qiang met Putin (again) in Moscow's Kremlin. " * 400  # one paragraph, ~19,000 chars
    assert len(text) > 3 * WINDOW
    snap = Snapper(tok)
    whole = {(t.idx, t.idx + len(t)) for t in tok(text) if not t.is_space}
    at = len(text) // 2
    local = snap.tokens(text, at, at + 30)
    assert local and set(local) <= whole
