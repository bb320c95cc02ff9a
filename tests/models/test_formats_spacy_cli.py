"""spaCy itself checks the exports: `spacy debug data` and `spacy train` on a `spacy` export, `spacy convert` on a
`conll` export. Real child processes of this interpreter (`sys.executable -m spacy`), no network."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spacy
from formats_util import FIXTURE, LABELS, fill, snapshot
from spacy.tokens import DocBin

from models.store import NewDocument

pytestmark = pytest.mark.slow

PEOPLE = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Li Qiang", "Zoe\u0301 Martin", "Ahmed Ali"]
ORGS = ["Acme Corp", "Google", "the United Nations", "IBM", "Siemens"]
PLACES = ["Paris", "Tel Aviv", "Beijing", "New York", "Oslo"]


def _corpus(n: int = 40) -> list[NewDocument]:
    docs = [d for d in FIXTURE if d.status == "accepted"]
    for i in range(n):
        person, org, place = PEOPLE[i % 6], ORGS[i % 5], PLACES[(i * 2) % 5]
        text = f"{person} joined {org} in {place} on day {i}."
        a = len(person)
        b = a + len(" joined ")
        c = b + len(org) + len(" in ")
        docs.append(
            NewDocument(
                text,
                {"i": i},
                spans=[(0, a, "PERSON"), (b, b + len(org), "ORG"), (c, c + len(place), "GPE")],
                status="accepted",
            )
        )
    return docs


def _spacy(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "spacy", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_spacy_debug_data_and_train_accept_the_export(make_project, cli, tmp_path):
    project = make_project(LABELS)
    fill(project, _corpus(150))  # debug data wants at least 100 training examples for a new pipeline
    out = tmp_path / "corpus"
    code, stdout, err = cli("export", project.folder, "--format", "spacy", "--out", out, "--dev", "0.2", "--seed", "3")
    assert code == 0, err
    assert "(train 117, dev 38)" in stdout  # by a hash of each text (models/split.py) and the seed
    init = _spacy(
        "init", "config", "ner.cfg", "--lang", "en", "--pipeline", "ner", "--optimize", "efficiency", cwd=tmp_path
    )
    assert init.returncode == 0, init.stderr
    paths = ["--paths.train", out / "train.spacy", "--paths.dev", out / "dev.spacy"]
    debug = _spacy("debug", "data", "ner.cfg", *paths, cwd=tmp_path)
    report = debug.stdout + debug.stderr
    assert debug.returncode == 0, report
    assert "✘" not in report and "checks passed" in report, report
    assert "3 label(s)" in report and "0 missing value(s)" in report
    train = _spacy(
        "train",
        "ner.cfg",
        *paths,
        "--output",
        tmp_path / "model",
        "--training.max_steps",
        "20",
        "--training.eval_frequency",
        "10",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stdout + train.stderr
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == set(LABELS)


def test_spacy_convert_reads_the_conll_export(make_project, cli, tmp_path):
    project = make_project(LABELS)
    fill(project, _corpus()[:12])
    out = tmp_path / "corpus.conll"
    code, _stdout, err = cli("export", project.folder, "--format", "conll", "--out", out)
    assert code == 0, err
    conv = _spacy("convert", out, tmp_path, "--converter", "ner", cwd=tmp_path)
    assert conv.returncode == 0, conv.stdout + conv.stderr
    docs = list(DocBin().from_disk(tmp_path / "corpus.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 12
    got = sorted(tuple((e.text, e.label_) for e in d.ents) for d in docs)
    want = sorted(
        tuple((" ".join(t.split()), label) for t, label in ((text[s:e], label) for s, e, label in spans))
        for text, (_st, spans, _m) in snapshot(project).items()
    )
    assert got == want
