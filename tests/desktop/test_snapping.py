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


def test_a_document_with_its_own_tokens_snaps_to_them_in_the_window(make_project, make_window, qtbot, tmp_path):
    """A CoNLL file's tokens are the document's: dragging over "got" in "gotta" takes the file's token
    "gotta" (spaCy's tokenizer would give "got" + "ta"), by a real mouse drag in the window."""
    from helpers import drag, stored

    from models.formats import get_format, import_file

    path = tmp_path / "tweets.conll"
    path.write_text("im\tO\ngotta\tO\nsee\tO\nMaryJane\tB-PERSON\n", encoding="utf-8")
    project = make_project(labels=("PERSON", "ORG"))
    import_file(project, path, get_format("conll"))
    text = "im gotta see MaryJane"
    assert [t.text for t in spacy.blank("en").tokenizer(text)][:3] == ["i", "m", "got"]
    window = make_window([], project=project)
    drag(qtbot, window, text.index("got"), text.index("got") + 2)
    assert (text.index("gotta"), text.index("gotta") + 5) in {(s, e) for s, e, *_ in stored(window)}
    drag(qtbot, window, 1, 2)  # the "m" of "im": the whole token "im"
    assert (0, 2) in {(s, e) for s, e, *_ in stored(window)}
