"""Training from accepted documents: real spaCy training on small data (a few seconds each), real project files."""

from __future__ import annotations

import json

import pytest

from models import store
from models.errors import TrainingError
from models.split import dev_hashes
from models.store.training import training_documents
from models.train import TrainOptions, current_version, list_versions, train_project
from models.train.data import INCORRECT_KEY, prepare
from tests.models.train_support import add, sentences, table_snapshot

FAST = TrainOptions(max_steps=30, eval_frequency=10, curve=False)

pytestmark = pytest.mark.slow


@pytest.fixture
def trained_project(make_project):
    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(30))
    return project


def test_train_learns_the_entities_and_writes_a_version_with_meta(trained_project):
    before = table_snapshot(trained_project)
    steps = []
    result = train_project(trained_project, FAST, on_progress=steps.append)
    assert result.scores["f"] > 0.9, result.scores
    assert set(result.scores["per_label"]) == {"PERSON", "CITY"}
    assert result.version.path == trained_project.folder / "pipelines" / "001"
    meta = json.loads((result.version.path / "tagdesk.json").read_text())
    assert meta["documents"]["train"] + meta["documents"]["eval"] == 30
    assert meta["eval"]["hash"] and meta["scores"]["f"] == result.scores["f"]
    assert any(s.total == 30 and s.step > 0 for s in steps), "progress reports steps"
    # never writes the annotation tables
    assert table_snapshot(trained_project) == before
    # the folder is a spaCy pipeline that finds the entities
    import spacy

    nlp = spacy.load(result.version.path)
    doc = nlp("On day 99 Grace flew to Oslo for a meeting.")
    assert {(e.text, e.label_) for e in doc.ents} == {("Grace", "PERSON"), ("Oslo", "CITY")}


def test_the_evaluation_set_is_the_export_split_and_stays_put_as_the_project_grows(trained_project):
    read = training_documents(session=trained_project.session().__enter__())
    held = dev_hashes([d.text_hash for d in read.documents], 0.2, 0)
    first = train_project(trained_project, FAST)
    add(trained_project, sentences(10, seed=5, offset=100))
    second = train_project(trained_project, FAST)
    assert first.version.meta["documents"]["eval"] == len(held)
    # documents held out before are still held out; only new ones can join
    with trained_project.session() as s:
        grown = training_documents(session=s)
    held2 = dev_hashes([d.text_hash for d in grown.documents], 0.2, 0)
    assert held <= held2
    assert second.version.meta["documents"]["eval"] == len(held2)
    assert [v.name for v in list_versions(trained_project)] == ["001", "002"]


def test_too_few_accepted_documents_is_a_message_and_nothing_is_written(make_project):
    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(3))
    with pytest.raises(TrainingError, match="at least 4 accepted documents"):
        train_project(project, FAST)
    assert not (project.folder / "pipelines").exists() or not list_versions(project)


def test_a_label_asked_for_without_examples_is_refused_and_unasked_ones_are_noted(make_project):
    project = make_project(labels=("PERSON", "CITY", "DRUG"))
    add(project, sentences(20))
    with pytest.raises(TrainingError, match="label DRUG has no examples"):
        train_project(project, TrainOptions(max_steps=5, eval_frequency=5, curve=False, labels=("DRUG",)))
    assert list_versions(project) == []
    result = train_project(project, FAST)
    assert any("no examples of DRUG" in n for n in result.notes)


def test_cancel_halfway_leaves_the_project_and_its_model_as_they_were(trained_project):
    before = table_snapshot(trained_project)
    config_before = trained_project.config_path.read_text()
    pipeline_before = trained_project.config.model.pipeline
    seen = []

    def stop() -> bool:
        return len(seen) >= 5

    with pytest.raises(TrainingError, match="cancelled"):
        train_project(
            trained_project,
            TrainOptions(max_steps=500, eval_frequency=10, curve=False),
            on_progress=seen.append,
            should_stop=stop,
            use=True,
        )
    assert list_versions(trained_project) == []
    assert (
        not list((trained_project.folder / "pipelines").glob(".*"))
        if (trained_project.folder / "pipelines").exists()
        else True
    )
    assert trained_project.config_path.read_text() == config_before
    from models.project import open_project

    with open_project(trained_project.folder) as again:
        assert again.config.model.pipeline == pipeline_before
    assert table_snapshot(trained_project) == before


def test_use_points_the_suggester_at_the_new_pipeline(trained_project):
    from models.suggest import load_suggester, model_key

    key_before = model_key(trained_project)
    result = train_project(trained_project, FAST, use=True)
    assert trained_project.config.model.pipeline == "pipelines/001"
    from models.project import open_project

    with open_project(trained_project.folder) as again:  # a shared setting: every desktop sees it
        assert again.config.model.pipeline == "pipelines/001"
    assert current_version(trained_project) == result.version
    assert model_key(trained_project) != key_before
    spans = next(load_suggester(trained_project, "model").suggest(["On day 7 Heidi flew to Prague for a meeting."]))
    assert {(s["label"], s["start"]) for s in spans} == {("PERSON", 9), ("CITY", 23)}


def test_removed_suggestions_are_known_wrong_spans_and_disagreements_are_left_out(make_project):
    import spacy

    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(6))
    text = "Meeting notes: Paris Hilton flew to Rome."
    add(project, [store.NewDocument(text=text)])
    with project.session() as s:
        doc_id = max(store.document_ids(session=s))
    with project.writing() as s:  # the annotator deletes a wrong suggestion but has not decided the document
        store.dismiss_suggestion(doc_id, 15, 20, "CITY", session=s, annotator="ann")
    # a document two annotators accepted differently
    other = sentences(1, seed=9, offset=500)[0]
    add(project, [other], annotator="ann")
    with project.session() as s:
        conflict_id = max(store.document_ids(session=s))
    with project.writing() as s:
        store.set_status(conflict_id, "accepted", session=s, annotator="bob")
    with project.session() as s:
        read = training_documents(session=s)
    assert read.conflicts == 1
    negative = [d for d in read.documents if not d.complete]
    assert [(d.id, d.rejected) for d in negative] == [(doc_id, [(15, 20, "CITY")])]
    prep = prepare(spacy.blank("en"), read.documents, held_out=set())
    wrong = [eg for eg in prep.train if len(eg.reference.spans[INCORRECT_KEY])]
    assert len(wrong) == 1
    ref = wrong[0].reference
    assert [(s.text, s.label_) for s in ref.spans[INCORRECT_KEY]] == [("Paris", "CITY")]
    assert not ref.has_annotation("ENT_IOB", require_complete=True)  # the rest is unknown, not O


def test_cli_train_prints_scores_and_curve_then_models_lists_and_uses(cli, trained_project):
    code, out, err = cli("train", trained_project.folder, "--steps", "20", "--eval-every", "10")
    assert code == 0, err
    assert "PERSON" in out and "CITY" in out and "learning curve (F): 25 %" in out
    assert "tagdesk models" in out and "--use 001" in out
    code, out, err = cli("models", trained_project.folder)
    assert code == 0 and "001" in out and "*" not in out.split("\n")[1][:3]
    code, out, err = cli("models", trained_project.folder, "--use", "1")
    assert code == 0 and "pipelines/001" in out
    code, out, _ = cli("models", trained_project.folder)
    assert "* 001" in out
    code, _out, err = cli("models", trained_project.folder, "--use", "7")
    assert code == 1 and "no trained pipeline 007" in err


def test_cli_train_with_too_few_documents_says_so_in_one_line(cli, make_project):
    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(2))
    code, out, err = cli("train", project.folder, "--no-curve")
    assert code == 1 and err.startswith("tagdesk: error: training needs at least 4") and "Traceback" not in err


def test_training_some_labels_leaves_the_others_unknown_not_outside(trained_project):
    import spacy

    with trained_project.session() as s:
        read = training_documents(session=s)
    prep = prepare(spacy.blank("en"), read.documents[:1], held_out=set(), labels={"PERSON"})
    ref = prep.train[0].reference
    assert [(e.label_) for e in ref.ents] == ["PERSON"]
    city = next(t for t in ref if t.text in ("Paris", "Berlin", "Rome", "Madrid", "Lisbon", "Vienna", "Oslo", "Prague"))
    assert city.ent_iob_ == ""  # missing: not taught to be O
    assert ref[0].ent_iob_ == "O"
    with pytest.raises(TrainingError, match="--label NOPE: not a label"):
        train_project(trained_project, TrainOptions(labels=("NOPE",), curve=False))


def test_a_long_document_is_cut_into_pieces_at_line_ends_and_keeps_every_entity():
    import spacy

    from models.store.training import TrainingDocument
    from models.train.data import PIECE_CHARACTERS

    lines, spans, at = [], [], 0
    for i in range(900):  # ~9 tokens a line: ~8,000 tokens, no line break inside an entity
        line = f"Line {i}: Grace Hopper flew to Oslo today."
        a = line.index("Grace Hopper")
        spans += [(at + a, at + a + 12, "PERSON"), (at + line.index("Oslo"), at + line.index("Oslo") + 4, "CITY")]
        lines.append(line)
        at += len(line) + 1
    text = "\n".join(lines)
    doc = TrainingDocument(1, text, "h", None, spans, [], True)
    prep = prepare(spacy.blank("en"), [doc], held_out=set())
    refs = [eg.reference for eg in prep.train]
    assert len(refs) > 3 and all(len(r.text) <= PIECE_CHARACTERS for r in refs)
    assert sum(len(r.ents) for r in refs) == len(spans)
    assert "".join(r.text for r in refs) == text  # cut at token boundaries, nothing lost
    assert all(r.text.endswith(("\n", ".")) for r in refs[:-1])  # at line ends


def test_a_long_paragraph_is_cut_between_tokens_never_inside_an_entity_or_a_known_wrong_span():
    """No line or sentence end to cut at: the pieces are cut at spaces (the splitter suggestions use), on the
    document's own tokens, keeping every entity and every rejected span whole."""
    import spacy

    from models.store.training import TrainingDocument
    from models.tokens import pack

    phrase = "Grace Brewster Murray Hopper met Ada King Lovelace near Oslo Fjord and "
    text = phrase * 400  # ~29,000 characters in one line
    spans, wrong, flat = [], [], []
    marks = [(name, phrase.index(name)) for name in ("Grace Brewster Murray Hopper", "Ada King Lovelace", "Oslo Fjord")]
    for k in range(400):
        (a, i), (b, j), (c, m) = ((name, k * len(phrase) + at) for name, at in marks)
        spans += [(i, i + len(a), "PERSON"), (j, j + len(b), "PERSON")]
        wrong.append((m, m + len(c), "CITY"))  # "Oslo Fjord" was suggested and removed
    for i, word in enumerate(text.split(" ")[:-1]):  # the file's tokens: split at spaces only
        start = sum(len(w) + 1 for w in text.split(" ")[:i])
        flat += [start, start + len(word)]
    doc = TrainingDocument(1, text, "h", pack(flat, len(text)), spans, wrong, True)
    prep = prepare(spacy.blank("en"), [doc], held_out=set())
    refs = [eg.reference for eg in prep.train]
    assert len(refs) >= 5 and "".join(r.text for r in refs) == text
    assert sum(len(r.ents) for r in refs) == len(spans) and prep.moved == prep.dropped == 0
    assert sum(len(r.spans[INCORRECT_KEY]) for r in refs) == len(wrong) == prep.rejected
    assert all(len(r.text) <= 5000 for r in refs)
