"""doccano and Label Studio files count offsets in code points, UTF-16 units (JavaScript) or grapheme clusters:
real-shaped files with emoji before, inside and after entities land every span on the right characters, in
every convention, on import (given or detected) and export."""

from __future__ import annotations

import json

import pytest
from formats_util import snapshot

from models.errors import ImportFileError
from models.formats import ReadOptions, get_format
from models.formats._export import export_project
from models.formats._import import import_file

LABELS = ("PERSON", "ORG", "GPE")
# emoji before an entity, inside one, after one; a skin tone + ZWJ sequence (one grapheme, 4 code points);
# a combining accent (one grapheme, 2 code points)
TEXTS = [
    ("👨🏻‍🚒 firemen met Ada Lovelace in Paris 😀 today", [("Ada Lovelace", "PERSON"), ("Paris", "GPE")]),
    ("Acme 🚀 Corp hired Zoe\u0301 Martin", [("Acme 🚀 Corp", "ORG"), ("Zoe\u0301 Martin", "PERSON")]),
    ("Bob lives in Oslo 🇳🇴 and works for IBM.", [("Bob", "PERSON"), ("Oslo", "GPE"), ("IBM", "ORG")]),
]


def _cp_spans(text, ents):
    return [(text.index(s), text.index(s) + len(s), label) for s, label in ents]


def _units(text: str, cp: int, convention: str) -> int:
    if convention == "codepoints":
        return cp
    if convention == "utf16":
        return len(text[:cp].encode("utf-16-le")) // 2
    import regex

    return len(regex.findall(r"\X", text[:cp]))


def _doccano(tmp_path, convention):
    path = tmp_path / f"doccano-{convention}.jsonl"
    lines = []
    for i, (text, ents) in enumerate(TEXTS):
        label = [[_units(text, s, convention), _units(text, e, convention), lab] for s, e, lab in _cp_spans(text, ents)]
        lines.append(json.dumps({"id": 10 + i, "text": text, "label": label}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _labelstudio(tmp_path, convention):
    path = tmp_path / f"ls-{convention}.json"
    tasks = []
    for i, (text, ents) in enumerate(TEXTS):
        result = [
            {
                "id": f"r{k}",
                "type": "labels",
                "from_name": "label",
                "to_name": "text",
                "value": {
                    "start": _units(text, s, convention),
                    "end": _units(text, e, convention),
                    "text": text[s:e],
                    "labels": [lab],
                },
            }
            for k, (s, e, lab) in enumerate(_cp_spans(text, ents))
        ]
        tasks.append({"id": i + 1, "data": {"text": text}, "annotations": [{"id": i + 1, "result": result}]})
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


WRITE = {"doccano": _doccano, "labelstudio": _labelstudio}
EXPECTED = {text: _cp_spans(text, ents) for text, ents in TEXTS}


def _spans(project):
    return {text: spans for text, (_status, spans, _meta) in snapshot(project).items()}


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio"])
@pytest.mark.parametrize("convention", ["codepoints", "utf16", "graphemes"])
@pytest.mark.parametrize("given", [True, False])
def test_import_lands_every_span_on_its_characters(make_project, tmp_path, fmt, convention, given):
    path = WRITE[fmt](tmp_path, convention)
    project = make_project(LABELS, name=f"{fmt}-{convention}-{given}")
    report = import_file(project, path, get_format(fmt), ReadOptions(offsets=convention if given else None))
    assert _spans(project) == EXPECTED
    assert report.offsets.startswith(
        {"codepoints": "code points", "utf16": "UTF-16", "graphemes": "grapheme"}[convention]
    )
    assert report.offsets.endswith("as given" if given else "detected")


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio"])
@pytest.mark.parametrize("convention", ["codepoints", "utf16", "graphemes"])
def test_export_writes_the_convention_asked_for(make_project, tmp_path, fmt, convention):
    src = make_project(LABELS, name="src")
    import_file(src, WRITE[fmt](tmp_path, "codepoints"), get_format(fmt), ReadOptions(offsets="codepoints"))
    out = tmp_path / f"out-{convention}{get_format(fmt).suffix}"
    export_project(src, get_format(fmt), out, offsets=convention)
    (tmp_path / "want").mkdir()
    want = WRITE[fmt](tmp_path / "want", convention)  # the file the tool itself would write
    if fmt == "doccano":
        got = [json.loads(x)["label"] for x in out.read_text(encoding="utf-8").splitlines()]
        assert got == [json.loads(x)["label"] for x in want.read_text(encoding="utf-8").splitlines()]
    else:
        got = [[r["value"] for r in t["annotations"][0]["result"]] for t in json.loads(out.read_text("utf-8"))]
        exp = [[r["value"] for r in t["annotations"][0]["result"]] for t in json.loads(want.read_text("utf-8"))]
        assert got == exp
    dst = make_project(LABELS, name="dst")
    import_file(dst, out, get_format(fmt), ReadOptions(offsets=convention))
    assert _spans(dst) == EXPECTED


def test_when_several_conventions_fit_code_points_are_taken(make_project, tmp_path):
    """Spans before the first emoji fit every convention: nothing to tell them apart, code points."""
    path = tmp_path / "early.jsonl"
    path.write_text(json.dumps({"text": "Ada met Bob 😀 today", "label": [[0, 3, "PERSON"]]}) + "\n", encoding="utf-8")
    project = make_project(LABELS, name="early")
    report = import_file(project, path, get_format("doccano"))
    assert report.offsets == "code points (Python characters), detected"
    assert _spans(project) == {"Ada met Bob 😀 today": [(0, 3, "PERSON")]}


def test_a_file_no_convention_fits_is_refused_naming_the_line(make_project, tmp_path):
    path = tmp_path / "bad.jsonl"
    text = "😀 Ada met Bob"
    path.write_text(
        json.dumps({"text": "plain text", "label": []})
        + "\n"
        + json.dumps({"text": text, "label": [[4, 7, "PERSON"]]})
        + "\n",
        encoding="utf-8",
    )
    project = make_project(LABELS, name="bad")
    with pytest.raises(ImportFileError) as err:
        import_file(project, path, get_format("doccano"))
    assert f"{path}:2:" in str(err.value) and "--offsets" in str(err.value)
    # given explicitly, the file imports as the user says (code points: 'a m' is what they asked for)
    import_file(project, path, get_format("doccano"), ReadOptions(offsets="codepoints"))


def test_a_utf16_offset_inside_an_emoji_is_refused(make_project, tmp_path):
    path = tmp_path / "half.jsonl"
    path.write_text(json.dumps({"text": "😀 Ada", "label": [[1, 6, "PERSON"]]}) + "\n", encoding="utf-8")
    project = make_project(LABELS, name="half")
    with pytest.raises(ImportFileError, match="inside a character"):
        import_file(project, path, get_format("doccano"), ReadOptions(offsets="utf16"))


def test_grapheme_export_refuses_a_span_that_cuts_a_cluster(make_project, tmp_path):
    from formats_util import fill

    from models.errors import TagdeskError
    from models.store import NewDocument

    src = make_project(LABELS, name="cut")
    fill(src, [NewDocument("Zoe\u0301 Martin", {}, spans=[(0, 3, "PERSON")], status="accepted")])  # cuts e + accent
    with pytest.raises(TagdeskError, match="grapheme"):
        export_project(src, get_format("doccano"), tmp_path / "x.jsonl", offsets="graphemes")
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_import_says_which_convention_it_used(make_project, cli, tmp_path):
    project = make_project(LABELS, name="cli")
    code, out, err = cli("import", project.folder, _doccano(tmp_path, "utf16"), "--format", "doccano")
    assert code == 0, err
    assert "offsets: UTF-16 units (JavaScript string length), detected" in out
