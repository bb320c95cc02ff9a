"""Real files written by Prodigy, doccano, Label Studio, brat and CoNLL users (`INTEROP` in tests/conftest.py),
imported with the counts that the set's provenance notes give. Read in place, never copied into the repository."""

from __future__ import annotations

import json

import pytest
from formats_util import INTEROP, counts

from models.errors import ImportFileError
from models.formats import ReadOptions, get_format, guess_format
from models.formats._import import import_file
from models.store import stats
from tests.conftest import unavailable

pytestmark = pytest.mark.backends


@pytest.fixture(autouse=True)
def _interop_files():
    if not INTEROP.is_dir():
        unavailable(f"the interop files are not here ({INTEROP})")


def _import(make_project, rel, fmt=None, **kw):
    project = make_project(("X",), name=rel.replace("/", "_"))
    path = INTEROP / rel
    report = import_file(project, path, get_format(fmt) if fmt else None, ReadOptions(**kw), add_labels=True)
    with project.session() as session:
        data = stats(session=session, annotator=project.annotator)
    statuses = {k: v for k, v in data["statuses"].items() if v}
    return project, report, statuses, data["spans_by_label"]


def _lines(rel):
    return [json.loads(line) for line in (INTEROP / rel).read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------- Prodigy


def test_prodigy_drugs_records_without_spans_key_are_accepted_with_no_entities(make_project):
    _p, report, statuses, labels = _import(make_project, "prodigy/projects__ner_drugs__drugs_eval.jsonl")
    assert report.format == "jsonl"
    assert report.added == 500 and statuses == {"accepted": 500}
    assert labels == {"DRUG": 362}


def test_prodigy_news_headlines_counts_by_label_and_answer(make_project):
    _p, report, statuses, labels = _import(
        make_project, "prodigy/prodigy-recipes__annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
    )
    assert report.added == 373 and statuses == {"accepted": 372, "ignored": 1}
    assert labels == {"ORG": 136, "LOCATION": 121, "PERSON": 38, "PRODUCT": 8}


def test_prodigy_tweets_duplicate_submissions_stored_once_and_blank_texts_reported(make_project):
    rel = "prodigy/projects__ner_tweets__test_annotated.jsonl"
    _p, report, statuses, labels = _import(make_project, rel)
    records = _lines(rel)
    assert len(records) == 523
    assert report.skipped["tasks with blank text"] == 2  # records 286 and 437 are " "
    assert report.added + report.duplicates + 2 == 523
    seen, repeated_spans = set(), 0
    for r in records:
        if r["text"].strip() and r["text"] in seen:
            repeated_spans += len(r.get("spans", []))
        seen.add(r["text"])
    assert labels == {"PERSON": 244 - repeated_spans}
    assert statuses["ignored"] == 4 and sum(statuses.values()) == report.added


def test_prodigy_binary_teach_data_keeps_accepted_spans_and_leaves_documents_pending(make_project):
    _p, report, statuses, labels = _import(make_project, "prodigy/prodigy-recipes__annotated_reddit-PRODUCT-ner.jsonl")
    merged = report.skipped["binary tasks merged into an earlier task on the same text"]
    assert report.added + merged == 1800
    assert statuses == {"pending": report.added}
    assert report.skipped["spans answered reject/ignore in binary (ner.teach) tasks"] == 1291 + 88
    assert labels["PRODUCT"] + report.skipped["repeated spans"] == 448


def test_prodigy_entity_linking_tasks(make_project):
    project, report, statuses, labels = _import(
        make_project, "prodigy/projects__nel_emerson__emerson_annotated_text.jsonl"
    )
    assert report.added == 30 and statuses == {"accepted": 30} and labels == {"ORG": 27, "PERSON": 3}


# ---------------------------------------------------------------------------------------------- doccano


@pytest.mark.parametrize(
    "rel, docs, labels",
    [
        ("doccano/doccano__export_examples__sequence_labeling__example.jsonl", 3, {"PERSON": 2, "ORG": 1, "MISC": 1}),
        ("doccano/doccano__import_examples__sequence_labeling__example.jsonl", 3, {"PERSON": 2, "ORG": 1}),
        ("doccano/doccano-transformer__labeling_text_label.jsonl", 2, {"LOC": 6, "PER": 4, "ORG": 1}),
        ("doccano/flair__jsonl__testa.jsonl", 3, None),
        ("doccano/flair__jsonl__testb.jsonl", 3, None),
    ],
)
def test_doccano_generations(make_project, rel, docs, labels):
    _p, report, statuses, got = _import(make_project, rel)
    assert report.format == "doccano" and report.added == docs and statuses == {"accepted": docs}
    if labels is not None:
        assert got == labels
    else:
        assert sum(got.values()) == 5


def test_doccano_relation_files_keep_entities_and_report_relations(make_project):
    for rel in (
        "doccano/doccano__export_examples__relation_extraction__example.jsonl",  # pretty-printed
        "doccano/doccano__import_examples__relation_extraction__example.jsonl",
    ):
        _p, report, _s, labels = _import(make_project, rel)
        assert sum(labels.values()) == 4 and report.skipped["relations"] == 3


def test_doccano_old_export_merges_users_and_numeric_labels(make_project):
    _p, report, _s, labels = _import(make_project, "doccano/doccano-transformer__labeling.jsonl")
    assert report.added == 2
    assert sum(labels.values()) + report.skipped["repeated spans"] == 16 and report.skipped["repeated spans"] == 5
    assert set(labels) == {"12", "13", "14"}


def test_doccano_same_span_twice_stored_once(make_project):
    _p, report, _s, labels = _import(
        make_project, "doccano/doccano__import_tests__sequence_labeling__example_overlapping.jsonl"
    )
    assert labels == {"LOC": 1} and report.skipped["repeated spans"] == 1


def test_doccano_repeated_ids_same_text_stored_once(make_project):
    _p, report, _s, labels = _import(make_project, "doccano/flair__jsonl__train.jsonl")
    assert report.added + report.duplicates == 5 and report.duplicates == 1


def test_doccano_record_without_text_rejects_the_file_naming_line_3(make_project):
    project = make_project(("LOC", "PER"))
    path = INTEROP / "doccano/doccano__import_tests__sequence_labeling__example.jsonl"
    with pytest.raises(ImportFileError, match=rf"{path}:3: no text"):
        import_file(project, path)
    assert counts(project) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------- Label Studio


def test_labelstudio_completions_file_with_leading_space_span(make_project):
    project, report, statuses, labels = _import(
        make_project, "label_studio/label-studio-converter__completions_348.json"
    )
    assert report.format == "labelstudio" and statuses == {"accepted": 1} and labels == {"INGREDIENT": 38}


def test_labelstudio_annotation_and_prediction_examples(make_project):
    _p, _r, statuses, labels = _import(
        make_project, "label_studio/label-studio__examples_named_entity__annotations_1.json"
    )
    assert statuses == {"accepted": 1} and labels == {"Date": 1}
    _p, _r, statuses, labels = _import(make_project, "label_studio/label-studio__examples_named_entity__tasks.json")
    assert statuses == {"pending": 1} and labels == {"Date": 1}


# ---------------------------------------------------------------------------------------------- brat


def test_brat_tutorial_news_counts_and_skipped_kinds(make_project):
    _p, report, statuses, labels = _import(make_project, "brat/brat_tutorial_news")
    assert report.format == "brat" and report.added == 13 and statuses == {"accepted": 13}
    # 119 T lines, 23 of them event triggers
    assert sum(labels.values()) + report.skipped["event triggers"] == 119 and report.skipped["event triggers"] == 23
    assert {
        k: report.skipped[k] for k in ("events", "relations", "attributes", "normalisations", "notes", "equivalences")
    } == {"events": 23, "relations": 8, "attributes": 11, "normalisations": 1, "notes": 4, "equivalences": 2}


def test_brat_ncbi_disease(make_project):
    _p, report, _s, labels = _import(make_project, "brat/brat_ncbi_disease")
    assert report.added == 4 and labels == {"Disease": 76} and report.skipped["attributes"] == 76


def test_brat_medkit_discontinuous_spans_reported_and_documents_left_pending(make_project):
    _p, report, statuses, labels = _import(make_project, "brat/medkit")
    assert report.skipped["discontinuous spans"] == 3
    assert sum(labels.values()) == 7 + 5 - 3
    assert statuses == {"pending": 2}


def test_brat_single_pair_by_ann_file(make_project):
    project, report, _s, labels = _import(make_project, "brat/medkit/doc_01.ann")
    assert report.added == 1 and labels == {"medication": 1, "disease": 2, "vitamin": 1}
    with project.session() as session:
        from models.store import iter_annotated_documents

        doc = next(iter_annotated_documents(session=session, annotator=project.annotator, statuses=("pending",)))
    assert doc.text[95:105] == "déficience" and (95, 105, "disease") in doc.spans


# ---------------------------------------------------------------------------------------------- CoNLL / IOB


@pytest.mark.parametrize(
    "rel, docs, tokens, labels",
    [
        ("conll/spacy__ner-token-per-line-conll2003.iob", 1, 66, {"PERSON": 2, "ORG": 2, "DATE": 2, "NORP": 1}),
        ("conll/spacy__ner-token-per-line.iob", 1, 66, {"PERSON": 2, "ORG": 2, "DATE": 2, "NORP": 1}),
        ("conll/spacy__ner-token-per-line-with-pos.iob", 1, 66, {"PERSON": 2, "ORG": 2, "DATE": 2, "NORP": 1}),
        ("conll/spacy__ner-sent-per-line.iob", 2, 66, {"PERSON": 2, "ORG": 2, "DATE": 2, "NORP": 1}),
        ("conll/flair__fashion__eng.train", 6, 114, 23),
        ("conll/flair__fewshot_conll__1shot.txt", 2, 47, 4),
        ("conll/flair__germeval__NER-de-dev.tsv", 1, 21, {"OTH": 1, "ORG": 1, "LOC": 1}),
        ("conll/doccano__import_tests__example.conll", 2, 4, {"LOC": 1, "PER": 1}),
        ("conll/doccano__import_tests__labeling.trailing.conll", 1, 12, None),
        ("conll/doccano-transformer__labeling_text_label.conll2003.user0", 2, 37, {"LOC": 6, "PER": 4, "ORG": 1}),
        ("conll/doccano-transformer__labeling.conll2003.user1", 1, 20, None),
        ("conll/doccano-transformer__labeling.conll2003.user2", 2, 37, None),
        ("conll/seqeval__ground_truth.txt", 40, 961, None),
    ],
)
def test_column_files(make_project, rel, docs, tokens, labels):
    project, report, statuses, got = _import(make_project, rel)
    assert report.format == "conll" and report.added == docs and statuses == {"accepted": docs}
    from formats_util import snapshot

    assert sum(len(text.split()) for text in snapshot(project)) == tokens
    if isinstance(labels, dict):
        assert got == labels
    elif isinstance(labels, int):
        assert sum(got.values()) == labels


def test_conll_malformed_first_line_rejects_the_file(make_project):
    project = make_project(("LOC", "PER", "ORG", "MISC"))
    path = INTEROP / "conll/doccano__import_tests__labeling.invalid.conll"
    with pytest.raises(ImportFileError, match=rf"{path}:1: 1 column .*SOCCERO"):
        import_file(project, path)
    assert counts(project) == (0, 0, 0)


def test_conll_whitespace_column_and_header_row(make_project):
    project, _r, _s, labels = _import(make_project, "conll/flair__column_with_whitespaces__eng.train")
    from formats_util import snapshot

    assert list(snapshot(project)) == ["It is a German-owned firm."] and labels == {"LOC": 1}
    project, report, _s, labels = _import(make_project, "conll/flair__column_corpus_options__eng.train", fmt="conll")
    assert report.skipped["header row"] == 1
    assert snapshot(project) == {"This is New Berlin": ("accepted", [(8, 18, "LOC")], {})}


def test_guessing_formats_of_real_files():
    assert guess_format(INTEROP / "prodigy/projects__ner_drugs__drugs_eval.jsonl").name == "jsonl"
    assert guess_format(INTEROP / "doccano/flair__jsonl__train.jsonl").name == "doccano"
    assert (
        guess_format(INTEROP / "doccano/doccano__export_examples__relation_extraction__example.jsonl").name == "doccano"
    )
    assert guess_format(INTEROP / "label_studio/label-studio-converter__completions_348.json").name == "labelstudio"
    assert guess_format(INTEROP / "brat/medkit").name == "brat"
    assert guess_format(INTEROP / "conll/flair__fewshot_conll__1shot.txt").name == "conll"


def test_cli_import_of_a_brat_folder_says_what_it_left_out(make_project, cli):
    project = make_project(("medication", "disease", "vitamin"))
    code, out, err = cli("import", project.folder, INTEROP / "brat/medkit")
    assert code == 0, err
    assert (
        f"{INTEROP / 'brat/medkit'}: 2 new documents; 2 with annotations (brat); left out: 4 attributes, "
        "3 discontinuous spans, 3 notes, 3 relations"
    ) in out
    assert guess_format(INTEROP / "brat/medkit/doc_01.txt").name == "brat"
