"""Bad input for every importer: a clear message naming file:line, and the database (and config) as it was."""

from __future__ import annotations

import json
import pickle

import pytest
import spacy
from formats_util import counts, fill
from spacy.tokens import DocBin

from models.config import load_config
from models.errors import TagdeskError
from models.formats import ReadOptions, get_format
from models.formats._import import import_file

pytestmark = pytest.mark.backends

BIG = 50 * 1024 * 1024
LABELS = ("PERSON", "ORG", "GPE")


@pytest.fixture
def proj(make_project):
    project = make_project(LABELS)
    fill(project, [])
    from models.store import NewDocument

    fill(project, [NewDocument("Already here.", {}, spans=[(0, 7, "ORG")], status="accepted")])
    return project


def _jsonl_task(text, spans, answer="accept"):
    return json.dumps(
        {"text": text, "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans], "answer": answer},
        ensure_ascii=False,
    )


def _doccano(text, spans):
    return json.dumps({"text": text, "label": [list(s) for s in spans]}, ensure_ascii=False)


def _ls_task(text, spans):
    return json.dumps(
        {
            "data": {"text": text},
            "annotations": [
                {
                    "result": [
                        {"type": "labels", "value": {"start": s, "end": e, "labels": [lab]}} for s, e, lab in spans
                    ]
                }
            ],
        },
        ensure_ascii=False,
    )


GOOD = "Bob works at Acme."
LINE_FORMATS = {
    "jsonl": (".jsonl", lambda t, sp: _jsonl_task(t, sp)),
    "doccano": (".jsonl", lambda t, sp: _doccano(t, sp)),
}


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _expect(project, path, fmt, where, match, add_labels=False):
    before_counts = counts(project)
    before_config = project.config_path.read_bytes()
    with pytest.raises(TagdeskError) as err:
        import_file(project, path, get_format(fmt), ReadOptions(), add_labels=add_labels)
    message = str(err.value)
    assert message.startswith(f"{where}:" if not where.endswith(":") else where), message
    assert match in message, message
    assert len(message) < 600
    assert counts(project) == before_counts
    assert project.config_path.read_bytes() == before_config
    return message


# ---------------------------------------------------------------------------------------------- JSON lines


@pytest.mark.parametrize("fmt", ["jsonl", "doccano"])
def test_json_lines_bad_input(proj, tmp_path, fmt):
    suffix, line = LINE_FORMATS[fmt]
    good = line(GOOD, [(0, 3, "PERSON")])
    p = _write(tmp_path, f"empty{suffix}", b"")
    _expect(proj, p, fmt, str(p), "is empty")
    p = _write(tmp_path, f"cut{suffix}", (good + "\n" + good[: len(good) // 2]).encode())
    _expect(proj, p, fmt, f"{p}:2", "truncated")
    p = _write(tmp_path, f"latin{suffix}", (good + "\n").encode() + line("Zoë", []).encode("latin-1"))
    _expect(proj, p, fmt, f"{p}:2", "not UTF-8")
    p = _write(tmp_path, f"past{suffix}", (good + "\n" + line("Bob", [(0, 9, "PERSON")])).encode())
    _expect(proj, p, fmt, f"{p}:2", "past the end of the text")
    p = _write(tmp_path, f"back{suffix}", line("Bob and Al", [(5, 2, "PERSON")]).encode())
    _expect(proj, p, fmt, f"{p}:1", "ends before it starts")
    p = _write(tmp_path, f"label{suffix}", (good + "\n" + line("A cat", [(2, 5, "ANIMAL")])).encode())
    _expect(proj, p, fmt, f"{p}:2", "label 'ANIMAL' is not a label of this project")
    p = _write(tmp_path, f"big{suffix}", line("x" * BIG, [(0, 1, "PERSON")])[:-3].encode())
    _expect(proj, p, fmt, f"{p}:1", "invalid JSON")


def test_prodigy_token_indices_and_span_text_are_checked(proj, tmp_path):
    task = {
        "text": "Ada Lovelace",
        "tokens": [
            {"text": "Ada", "start": 0, "end": 3, "id": 0},
            {"text": "Lovelace", "start": 4, "end": 12, "id": 1},
        ],
        "spans": [{"start": 0, "end": 12, "label": "PERSON", "token_start": 0, "token_end": 0}],
        "answer": "accept",
    }
    p = _write(tmp_path, "tok.jsonl", json.dumps(task).encode())
    _expect(proj, p, "jsonl", f"{p}:1", "token_end is inclusive")
    task["spans"] = [{"start": 0, "end": 3, "label": "PERSON", "text": "Ad"}]
    p = _write(tmp_path, "txt.jsonl", json.dumps(task).encode())
    _expect(proj, p, "jsonl", f"{p}:1", "UTF-16")


# ---------------------------------------------------------------------------------------------- Label Studio


def test_labelstudio_bad_input(proj, tmp_path):
    good = _ls_task(GOOD, [(0, 3, "PERSON")])
    p = _write(tmp_path, "empty.json", b"")
    _expect(proj, p, "labelstudio", str(p), "is empty")
    p = _write(tmp_path, "cut.json", ("[\n" + good + ",\n" + good[:30]).encode())
    _expect(proj, p, "labelstudio", f"{p}:3", "truncated")
    p = _write(tmp_path, "latin.json", ("[\n" + good + ",\n").encode() + _ls_task("Zoë", []).encode("latin-1") + b"]")
    _expect(proj, p, "labelstudio", f"{p}:3", "not UTF-8")
    p = _write(tmp_path, "past.json", ("[\n" + good + ",\n" + _ls_task("Bob", [(1, 7, "PERSON")]) + "\n]").encode())
    _expect(proj, p, "labelstudio", f"{p}:3", "past the end of the text")
    p = _write(tmp_path, "back.json", ("[" + _ls_task("Bob and Al", [(5, 2, "PERSON")]) + "]").encode())
    _expect(proj, p, "labelstudio", f"{p}:1", "ends before it starts")
    p = _write(tmp_path, "label.json", ("[\n" + good + ",\n" + _ls_task("A cat", [(2, 5, "ANIMAL")]) + "\n]").encode())
    _expect(proj, p, "labelstudio", f"{p}:3", "label 'ANIMAL'")
    p = _write(tmp_path, "big.json", ("[" + _ls_task("x" * BIG, [])).encode())
    _expect(proj, p, "labelstudio", f"{p}:1", "not closed")


@pytest.mark.parametrize("fmt", ["labelstudio", "doccano"])
def test_an_error_in_the_last_task_of_a_large_json_array_names_its_line(proj, tmp_path, fmt):
    """Line numbers come from a running count (counting from the file's start for every task was quadratic):
    the last of 20,000 tasks, pretty-printed over several lines each, is still reported on its own line."""
    n = 20_000
    if fmt == "labelstudio":
        tasks = [json.loads(_ls_task(f"Bob {i} works at Acme.", [(0, 3, "PERSON")])) for i in range(n)]
        tasks[-1]["annotations"][0]["result"][0]["value"]["end"] = 99
    else:
        tasks = [{"text": f"Bob {i} works at Acme.", "label": [[0, 3, "PERSON"]]} for i in range(n)]
        tasks[-1]["label"][0][1] = 99
    body = json.dumps(tasks, indent=1)
    last = body.rindex("\n {") + 2  # where the last task's object starts
    line = body.count("\n", 0, last) + 1
    assert line > 100_000
    p = _write(tmp_path, "many.json", body.encode())
    _expect(proj, p, fmt, f"{p}:{line}", "past the end of the text")


# ---------------------------------------------------------------------------------------------- CoNLL / IOB / BILUO


@pytest.mark.parametrize("fmt", ["conll", "iob", "biluo"])
def test_column_bad_input(proj, tmp_path, fmt):
    good = "Bob\tB-PERSON\nworks\tO\n"
    p = _write(tmp_path, "empty.txt", b"\n\n")
    _expect(proj, p, fmt, str(p), "is empty")
    p = _write(tmp_path, "cut.txt", (good + "at").encode())
    _expect(proj, p, fmt, f"{p}:3", "1 column")
    p = _write(tmp_path, "latin.txt", good.encode() + "Zoë\tB-PERSON\n".encode("latin-1"))
    _expect(proj, p, fmt, f"{p}:3", "not UTF-8")
    p = _write(tmp_path, "notag.txt", (good + "Acme\tB-\n").encode())
    _expect(proj, p, fmt, f"{p}:3", "is not a tag")
    p = _write(tmp_path, "label.txt", (good + "\nA\tO\ncat\tB-ANIMAL\n").encode())
    _expect(proj, p, fmt, f"{p}:5", "label 'ANIMAL'")
    p = _write(tmp_path, "big.txt", b"x" * BIG)
    _expect(proj, p, fmt, f"{p}:1", "1 column")


# ---------------------------------------------------------------------------------------------- brat


def _pair(folder, text: bytes, ann: bytes):
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_bytes(text)
    (folder / "a.ann").write_bytes(ann)
    return folder / "a.ann"


def test_brat_bad_input(proj, tmp_path):
    text = GOOD.encode()
    empty = tmp_path / "empty"
    empty.mkdir()
    _expect(proj, empty, "brat", str(empty), "has no .txt files")
    ann = _pair(tmp_path / "blank", b"", b"")
    _expect(proj, tmp_path / "blank", "brat", str(ann.with_suffix(".txt")), "the text is empty")
    ann = _pair(tmp_path / "cut", text, b"T1\tPERSON 0 3\tBob\nT2\tORG 13")
    _expect(proj, tmp_path / "cut", "brat", f"{ann}:2", "not 'START END'")
    ann = _pair(tmp_path / "latin", text, "T1\tPERSON 0 3\tBob\n#1\tAnnotatorNotes T1\tZoë".encode("latin-1"))
    _expect(proj, tmp_path / "latin", "brat", f"{ann}:2", "not UTF-8")
    ann = _pair(tmp_path / "past", text, b"T1\tPERSON 0 3\tBob\nT2\tORG 13 40\tAcme.")
    _expect(proj, tmp_path / "past", "brat", f"{ann}:2", "past the end of the text")
    ann = _pair(tmp_path / "back", text, b"T1\tPERSON 3 0\tBob")
    _expect(proj, tmp_path / "back", "brat", f"{ann}:1", "ends before it starts")
    ann = _pair(tmp_path / "moved", text, b"T1\tPERSON 1 4\tBob")
    _expect(proj, tmp_path / "moved", "brat", f"{ann}:1", "do not match the text")
    ann = _pair(tmp_path / "label", text, b"T1\tPERSON 0 3\tBob\nT2\tANIMAL 13 17\tAcme")
    _expect(proj, tmp_path / "label", "brat", f"{ann}:2", "label 'ANIMAL'")
    ann = _pair(tmp_path / "big", b"x" * BIG, b"T1\tPERSON 0 3\t" + b"y" * BIG)
    _expect(proj, ann, "brat", f"{ann}:1", "do not match the text")


# ---------------------------------------------------------------------------------------------- spaCy
# A DocBin (like a column file) holds entities as token ranges: offsets past the end or ending before they start
# cannot be written in it, so those two cases do not apply to spacy, conll, iob and biluo.


def _docbin(*items, label="PERSON"):
    nlp = spacy.blank("en")
    db = DocBin()
    for text in items:
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(0, 3, label=label)]
        db.add(doc)
    return db.to_bytes()


def test_spacy_bad_input(proj, tmp_path):
    p = _write(tmp_path, "empty.spacy", b"")
    _expect(proj, p, "spacy", str(p), "is empty")
    data = _docbin(GOOD, "Ann is here.")
    p = _write(tmp_path, "cut.spacy", data[: len(data) // 2])
    _expect(proj, p, "spacy", str(p), "cut short")
    p = _write(tmp_path, "latin.spacy", "Zoë\tB-PERSON\n".encode("latin-1"))
    _expect(proj, p, "spacy", str(p), "is not a spaCy DocBin")
    p = _write(tmp_path, "pickle.spacy", pickle.dumps({"not": "a docbin"}))
    _expect(proj, p, "spacy", str(p), "is not a spaCy DocBin")
    p = _write(tmp_path, "label.spacy", _docbin(GOOD, "Cat is here.", label="ANIMAL"))
    _expect(proj, p, "spacy", f"{p}:1", "label 'ANIMAL'")
    p = _write(tmp_path, "big.spacy", b"\x00" * BIG)
    _expect(proj, p, "spacy", str(p), "is not a spaCy DocBin")


# ---------------------------------------------------------------------------------------------- every format

DUPLICATES = {
    "jsonl": ("d.jsonl", lambda: "\n".join([_jsonl_task("Ann met Bob.", [(0, 3, "PERSON")])] * 2).encode()),
    "doccano": ("d.jsonl", lambda: "\n".join([_doccano("Ann met Bob.", [(0, 3, "PERSON")])] * 2).encode()),
    "labelstudio": (
        "d.json",
        lambda: ("[" + ",".join([_ls_task("Ann met Bob.", [(0, 3, "PERSON")])] * 2) + "]").encode(),
    ),
    "conll": ("d.conll", lambda: b"-DOCSTART- -X- O O\n\nAnn _ _ B-PERSON\n\n-DOCSTART- -X- O O\n\nAnn _ _ B-PERSON\n"),
    "spacy": ("d.spacy", lambda: _docbin("Ann met Bob.", "Ann met Bob.")),
}


@pytest.mark.parametrize("fmt", sorted(DUPLICATES))
def test_duplicate_documents_are_stored_once(proj, tmp_path, fmt):
    name, data = DUPLICATES[fmt]
    p = _write(tmp_path, name, data())
    report = import_file(proj, p, get_format(fmt))
    assert (report.added, report.duplicates) == (1, 1)
    assert counts(proj) == (2, 2, 2)


def test_add_labels_adds_them_to_the_project_for_every_desktop(proj, tmp_path, cli):
    p = _write(tmp_path, "cats.jsonl", _jsonl_task("A cat and a dog.", [(2, 5, "ANIMAL"), (12, 15, "PET")]).encode())
    code, _out, err = cli("import", proj.folder, p)
    assert code == 1 and f"{p}:1: label 'ANIMAL' is not a label of this project (and 1 more: PET)" in err
    code, out, err = cli("import", proj.folder, p, "--add-labels")
    assert code == 0, err
    assert "labels added to the project: ANIMAL, PET" in out
    assert load_config(proj.config_path).labels is None  # not in this desktop's file: in the shared database
    assert proj.refresh()  # a project already open elsewhere (another desktop) sees them
    labels = proj.config.labels
    assert [lab.name for lab in labels] == ["PERSON", "ORG", "GPE", "ANIMAL", "PET"]
    assert labels[3].key == "4" and labels[3].color != labels[2].color


def test_cli_reports_what_it_left_out(proj, tmp_path, cli):
    task = {
        "text": "Ann helps Bob.",
        "spans": [
            {"start": 0, "end": 3, "label": "PERSON"},
            {"start": 0, "end": 3, "label": "PERSON"},
            {"start": 1, "end": 8, "label": "ORG"},
        ],
        "relations": [{"head": 0, "child": 2, "label": "HELPS"}],
        "answer": "accept",
    }
    p = _write(tmp_path, "rel.jsonl", json.dumps(task).encode())
    code, out, err = cli("import", proj.folder, p)
    assert code == 0, err
    assert "left out: 1 overlapping spans, 1 relations, 1 repeated spans" in out


@pytest.mark.parametrize(
    "fmt, name, data, where, says",
    [
        (
            "jsonl",
            "deep.jsonl",
            '{"text": "Ann.", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
            1,
            "nested too deeply",
        ),
        (
            "doccano",
            "deep.jsonl",
            '{"text": "Ann.", "label": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
            1,
            "nested too deeply",
        ),
        (
            "labelstudio",
            "deep.json",
            '[\n{"data": {"text": "Ann."}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}]",
            2,
            "nested too deeply",
        ),
        (
            "doccano",
            "bigint.jsonl",
            '{"text": "Ann.", "label": [[0, ' + "9" * 5000 + ', "PERSON"]]}',
            1,
            "integer string conversion",
        ),
        (
            "jsonl",
            "surrogate.jsonl",
            '{"text": "Ann.", "spans": [{"start": 0, "end": 3, "label": "P\\ud83d"}]}',
            1,
            "lone surrogate",
        ),
        ("doccano", "meta.jsonl", '{"text": "Ann.", "label": [], "meta": {"k": "\\ud83d"}}', 1, "lone surrogate"),
        ("labelstudio", "meta.json", '[{"data": {"text": "Ann."}, "meta": {"k": "\\udc00"}}]', 1, "lone surrogate"),
    ],
)
def test_hostile_json_is_refused_with_file_and_line(proj, tmp_path, fmt, name, data, where, says):
    p = _write(tmp_path, name, data.encode())
    _expect(proj, p, fmt, f"{p}:{where}", says)
