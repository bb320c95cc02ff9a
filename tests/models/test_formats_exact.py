"""What other tools wrote comes back exactly: their tokens, hashes, ids and top-level keys, on the real files in
../shared/interop (read in place), and the smaller losses each fixed with a test that failed before."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from formats_util import INTEROP, LABELS, fill
from spacy.training import biluo_to_iob, iob_to_biluo

from models.formats import ReadOptions, get_format
from models.formats._columns import _layout, _split
from models.formats._export import export_project
from models.formats._import import import_file

needs_interop = pytest.mark.skipif(not INTEROP.is_dir() and not os.environ.get("CI"), reason="no ../shared/interop")
ALL = ("accepted", "rejected", "ignored", "pending")


def _import(make_project, path: Path, fmt: str | None = None, **options):
    project = make_project(("X",), name=re.sub(r"\W", "_", path.name))
    report = import_file(project, path, get_format(fmt) if fmt else None, ReadOptions(**options), add_labels=True)
    return project, report


# ---------------------------------------------------------------------------------------------- column files


def _iob2(tags: list[str]) -> list[str]:
    """Tags in IOB2, whatever scheme they came in (IOB1 starts, BIOES S-/E-, BILUO, bare labels): spaCy's own
    conversions, so the comparison does not lean on Tagdesk's reader."""
    fixed = []
    for t in tags:
        if t != "O" and not re.match(r"^[BIESLU]-", t):
            t = "I-" + t
        fixed.append(t.replace("S-", "U-", 1) if t.startswith("S-") else t.replace("E-", "L-", 1))
    return biluo_to_iob(iob_to_biluo(fixed))


def _sentences(path: Path, skip_header: bool) -> list[list[tuple[str, str]]]:
    """(token, tag) per sentence of a column file, read plainly: the tag column as Tagdesk's layout picks it
    (the imported tag column), comment lines of another width skipped, `word|POS|TAG` lines split."""
    lines = [ln.rstrip("\r") for ln in path.read_text(encoding="utf-8").split("\n")]
    body = [ln for ln in lines if ln.strip() and not ln.startswith("-DOCSTART-")]
    tab = any("\t" in ln for ln in body)
    piped = not tab and all("|" in item for ln in body[:20] for item in ln.split())
    out: list[list[tuple[str, str]]] = [[]]
    if piped:
        return [[(i.split("|")[0], i.split("|")[-1]) for i in ln.split()] for ln in body]
    tok, tag, _ws, width = _layout([_split(ln, tab) for ln in body])
    first = True
    for ln in lines:
        if ln.startswith("-DOCSTART-") or not ln.strip():
            if out[-1]:
                out.append([])
            continue
        cols = _split(ln, tab)
        if first and skip_header:
            first = False
            continue
        first = False
        if ln.startswith("#") and len(cols) != width:
            continue
        out[-1].append((cols[tok], cols[tag]))
    sents = [s for s in out if s]
    return [list(zip([w for w, _t in s], _iob2([t for _w, t in s]), strict=True)) for s in sents]


COLUMN_FILES = (
    sorted(p.name for p in (INTEROP / "conll").glob("*") if "invalid" not in p.name) if INTEROP.is_dir() else []
)


@needs_interop
@pytest.mark.parametrize("name", COLUMN_FILES)
def test_every_column_file_round_trips_token_exact(make_project, tmp_path, name):
    """The social-media tokens (im, thats, dont) and every other file's tokens come back as the file had them,
    in order, with the same tags (normalised to IOB2), sentence by sentence."""
    path = INTEROP / "conll" / name
    project, report = _import(make_project, path, "conll")
    # tab-separated files can hold tokens with spaces (`New Berlin`): written back tab-separated, as iob
    fmt = "iob" if "\t" in path.read_text(encoding="utf-8") else "conll"
    out = tmp_path / f"back.{fmt}"
    export_project(project, get_format(fmt), out, statuses=ALL)
    before = _sentences(path, skip_header=bool(report.skipped["header row"]))
    after = _sentences(out, skip_header=False)
    assert [[w for w, _t in s] for s in after] == [[w for w, _t in s] for s in before]
    assert after == before


@needs_interop
def test_a_prediction_or_pos_column_is_reported_as_dropped(make_project):
    _p, report = _import(make_project, INTEROP / "conll" / "seqeval__ground_truth.txt")
    dropped = {k: v for k, v in report.skipped.items() if k.startswith("values of column")}
    assert set(dropped) == {
        "values of column 2 (Tagdesk keeps the tokens and the tags of column 4)",
        "values of column 3 (Tagdesk keeps the tokens and the tags of column 4)",
    }


def test_a_first_row_text_o_is_a_token_not_a_header(make_project, tmp_path):
    path = tmp_path / "a.conll"
    path.write_text("Text\tO\nby\tO\nAda\tB-PERSON\n", encoding="utf-8")
    project, report = _import(make_project, path)
    assert report.skipped["header row"] == 0
    with project.session() as s:
        from models.store import document_texts

        assert list(document_texts([1], session=s).values()) == ["Text by Ada"]
    header = tmp_path / "b.conll"
    header.write_text("WORD\tTAG\nby\tO\nAda\tB-PERSON\n", encoding="utf-8")
    _p, report = _import(make_project, header)
    assert report.skipped["header row"] == 1


# ---------------------------------------------------------------------------------------------- Prodigy


PRODIGY_TOKENS = (
    ["projects__ner_drugs__drugs_eval.jsonl", "prodigy-recipes__annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"]
    if INTEROP.is_dir()
    else []
)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_interop
@pytest.mark.parametrize("name", PRODIGY_TOKENS)
def test_prodigy_records_keep_hashes_top_level_keys_and_tokens(make_project, tmp_path, name):
    path = INTEROP / "prodigy" / name
    project, _report = _import(make_project, path)
    out = tmp_path / "back.jsonl"
    export_project(project, get_format("jsonl"), out, statuses=ALL)
    before, after = _records(path), _records(out)
    assert len(after) == len(before)
    for a, b in zip(after, before, strict=True):
        for key, value in b.items():
            if key == "tokens":
                assert [(t["text"], t["start"], t["end"], t["id"]) for t in a[key]] == [
                    (t["text"], t["start"], t["end"], t["id"]) for t in value
                ]
            elif key == "spans":
                keys = ("start", "end", "label", "token_start", "token_end")
                assert [tuple(s.get(k) for k in keys) for s in a[key]] == [tuple(s.get(k) for k in keys) for s in value]
            else:
                assert a[key] == value, key  # _input_hash, _task_hash, _session_id, _view_id, answer, meta
        assert set(a) - set(b) <= {"spans", "tokens", "meta"}


@needs_interop
def test_no_formula_tried_reproduces_prodigys_hashes_so_tagdesk_uses_its_own(tmp_path):
    """Prodigy's _input_hash is a function of the text (the same text has the same hash across these files), but
    murmurhash of the JSON of the input keys, in the spellings tried, gives none of them: records Tagdesk makes
    carry Tagdesk's own hashes, as `tagdesk export --help` says. If a formula ever matches, use it."""
    from murmurhash import hash as murmur

    from models.formats.jsonl import input_hash

    by_text: dict[str, set[int]] = {}
    for path in (INTEROP / "prodigy").glob("*.jsonl"):
        for r in _records(path):
            if "_input_hash" in r:
                by_text.setdefault(r["text"], set()).add(r["_input_hash"])
    assert by_text and all(len(h) == 1 for h in by_text.values())
    spellings = [
        lambda t: json.dumps({"text": t}, sort_keys=True),
        lambda t: json.dumps({"text": t}, sort_keys=True, ensure_ascii=False),
        lambda t: json.dumps({"text": t}, separators=(",", ":"), ensure_ascii=False),
        lambda t: t,
        input_hash,
    ]
    for spell in spellings:
        hits = sum((spell(t) if spell is input_hash else murmur(spell(t))) in h for t, h in by_text.items())
        assert hits == 0
    from models.cli import export as export_cli

    assert "own _input_hash" in Path(export_cli.__file__).read_text(encoding="utf-8")


def test_merged_binary_records_keep_the_accepted_ones_hashes(make_project, tmp_path):
    path = tmp_path / "teach.jsonl"
    spans = [{"start": 0, "end": 3, "label": "PERSON", "answer": "reject"}]
    lines = [
        {"text": "Ada met Bob.", "spans": spans, "answer": "reject", "_input_hash": 1, "_task_hash": 10},
        {
            "text": "Ada met Bob.",
            "spans": [{"start": 8, "end": 11, "label": "PERSON", "answer": "accept"}],
            "answer": "accept",
            "_input_hash": 1,
            "_task_hash": 20,
        },
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    project, _r = _import(make_project, path)
    out = tmp_path / "back.jsonl"
    export_project(project, get_format("jsonl"), out, statuses=ALL)
    (rec,) = _records(out)
    assert (rec["_input_hash"], rec["_task_hash"]) == (1, 20)
    assert rec["merged"] == [{"_input_hash": 1, "_task_hash": 10}]


# ---------------------------------------------------------------------------------------------- Label Studio, doccano


@needs_interop
def test_label_studio_task_and_annotation_ids_and_data_keys_survive(make_project, tmp_path):
    path = INTEROP / "label_studio" / "label-studio__examples_named_entity__annotations_1.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    tasks = raw if isinstance(raw, list) else [raw]
    project, _r = _import(make_project, path)
    out = tmp_path / "back.json"
    export_project(project, get_format("labelstudio"), out, statuses=ALL)
    back = json.loads(out.read_text(encoding="utf-8"))
    assert len(back) == len(tasks)
    for a, b in zip(back, tasks, strict=True):
        assert a["data"] == b["data"]
        for key in set(b) - {"annotations", "completions", "predictions", "data", "meta"}:
            assert a[key] == b[key], key
        anns = b.get("annotations") or b.get("completions")
        if anns:
            for key in set(anns[0]) - {"result", "was_cancelled"}:
                assert a["annotations"][0][key] == anns[0][key], key


def test_label_studio_extra_data_keys_and_text_key_come_back(make_project, tmp_path):
    path = tmp_path / "ls.json"
    task = {
        "id": 41,
        "inner_id": 7,
        "data": {"body": "Ada met Bob.", "url": "https://example.org/a"},
        "annotations": [
            {
                "id": 99,
                "completed_by": 3,
                "result": [{"type": "labels", "value": {"start": 0, "end": 3, "text": "Ada", "labels": ["PERSON"]}}],
            }
        ],
    }
    path.write_text(json.dumps([task]), encoding="utf-8")
    project = make_project(LABELS, name="ls")
    import_file(project, path, get_format("labelstudio"), ReadOptions(text_key="body"))
    out = tmp_path / "back.json"
    export_project(project, get_format("labelstudio"), out)
    (back,) = json.loads(out.read_text(encoding="utf-8"))
    assert back["id"] == 41 and back["inner_id"] == 7
    assert back["data"] == task["data"]
    assert back["annotations"][0]["id"] == 99 and back["annotations"][0]["completed_by"] == 3


@needs_interop
def test_doccano_ids_survive(make_project, tmp_path):
    path = INTEROP / "doccano" / "doccano__import_tests__sequence_labeling__example.jsonl"
    path = path if "id" in _records(path)[0] else INTEROP / "doccano" / "flair__jsonl__train.jsonl"
    project, _r = _import(make_project, path)
    out = tmp_path / "back.jsonl"
    export_project(project, get_format("doccano"), out, statuses=ALL)
    ids_before = [r["id"] for r in _records(path) if "id" in r]
    ids_after = [r["id"] for r in _records(out) if "id" in r]
    assert ids_before and set(ids_after) == set(ids_before)  # (a repeated text is stored once)


# ---------------------------------------------------------------------------------------------- smaller losses


def test_a_partial_docbin_imports_pending_and_exports_missing_values_not_o(make_project, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp("Ada Lovelace met Bob in Paris today.")
    doc.set_ents([doc.char_span(0, 12, label="PERSON")], default="missing")  # the rest is unknown
    path = tmp_path / "partial.spacy"
    DocBin(docs=[doc]).to_disk(path)
    project = make_project(LABELS, name="partial")
    import_file(project, path)
    from formats_util import snapshot

    ((status, spans, _meta),) = snapshot(project).values()
    assert (status, spans) == ("pending", [(0, 12, "PERSON")])
    out = tmp_path / "back.spacy"
    export_project(project, get_format("spacy"), out, statuses=ALL)
    (back,) = DocBin().from_disk(out).get_docs(nlp.vocab)
    assert [t.ent_iob_ for t in back] == ["B", "I", "", "", "", "", "", ""]


def test_brat_text_starting_with_a_bom_round_trips(make_project, tmp_path):
    from models.store import NewDocument

    src = make_project(LABELS, name="src")
    fill(src, [NewDocument("\ufeffAda met Bob.", {}, spans=[(1, 4, "PERSON")], status="accepted")])
    out = tmp_path / "brat"
    export_project(src, get_format("brat"), out)
    dst = make_project(LABELS, name="dst")
    import_file(dst, out)
    from formats_util import snapshot

    assert snapshot(dst) == {"\ufeffAda met Bob.": ("accepted", [(1, 4, "PERSON")], {"file": "doc-000001"})}


def test_export_of_thousands_of_documents_stays_within_sqlites_smallest_variable_limit(make_project, tmp_path):
    """SQLite builds older than 3.32 (and some distributions) allow 999 bound variables per statement."""
    import sqlite3

    from sqlalchemy import event

    from models.store import NewDocument

    project = make_project(LABELS, name="many")
    fill(
        project, [NewDocument(f"Ada number {i}.", {}, spans=[(0, 3, "PERSON")], status="accepted") for i in range(2500)]
    )

    @event.listens_for(project.engine, "connect")
    def _limit(dbapi_conn, _record):
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    project.engine.dispose()  # new connections get the limit
    result = export_project(project, get_format("doccano"), tmp_path / "out.jsonl")
    assert result.documents == 2500 and result.spans == 2500


# ---------------------------------------------------------------------------------------------- texts already here


def test_annotations_for_texts_already_in_the_project_attach_or_are_reported(make_project, cli, tmp_path):
    """Import raw texts, annotate them elsewhere, import the annotated file: the annotations attach to the
    documents; imported again, they are kept as they are and the summary says why, with the lines."""
    from formats_util import snapshot

    project = make_project(LABELS, name="attach")
    raw = tmp_path / "raw.txt"
    raw.write_text("Ada met Bob.\nParis is big.\n", encoding="utf-8")
    assert cli("import", project.folder, raw, "--by-line")[0] == 0
    annotated = tmp_path / "annotated.jsonl"
    records = [
        {"text": "Ada met Bob.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}], "answer": "accept"},
        {"text": "Paris is big.", "spans": [{"start": 0, "end": 5, "label": "GPE"}], "answer": "accept"},
        {"text": "Ada met Bob.", "spans": [{"start": 8, "end": 11, "label": "PERSON"}], "answer": "accept"},
    ]
    annotated.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, out, err = cli("import", project.folder, annotated)
    assert code == 0, err
    assert "0 new documents; 1 repeated within the file, stored once (line 3 repeats line 1)" in out
    assert "2 annotations added to documents already in the project" in out
    got = {t: (st, sp) for t, (st, sp, _m) in snapshot(project).items()}
    assert got == {"Ada met Bob.": ("accepted", [(0, 3, "PERSON")]), "Paris is big.": ("accepted", [(0, 5, "GPE")])}
    code, out, err = cli("import", project.folder, annotated)
    assert "3 annotations not imported (lines 1, 2, 3: ann already has an annotation of this text; kept)" in out
    assert {t: (st, sp) for t, (st, sp, _m) in snapshot(project).items()} == got


def test_the_dev_split_keeps_every_document_on_its_side_as_the_project_grows(make_project, tmp_path):
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    from models.split import is_dev
    from models.store import NewDocument, text_hash

    docs = [NewDocument(f"Text {i} about Paris.", {}, spans=[], status="accepted") for i in range(60)]
    project = make_project(LABELS, name="grow")
    fill(project, docs[:40])
    export_project(project, get_format("spacy"), tmp_path / "a", dev=0.2, seed=3)
    fill(project, docs[40:])
    export_project(project, get_format("spacy"), tmp_path / "b", dev=0.2, seed=3)

    def dev_texts(folder):
        return {d.text for d in DocBin().from_disk(folder / "dev.spacy").get_docs(Vocab())}

    before, after = dev_texts(tmp_path / "a"), dev_texts(tmp_path / "b")
    assert before and before <= after  # nobody left dev; the new documents joined by their own hash only
    assert after - before == {d.text for d in docs[40:] if is_dev(text_hash(d.text), 0.2, 3)}
    assert all(is_dev(text_hash(t), 0.2, 3) for t in after)
