"""Each way the suggestion setup can be wrong gives one message naming what was asked, what was found and what to do;
nothing is stored and the project still works."""

from __future__ import annotations

import pytest
from suggest_support import add_texts, configure, save_pipeline, stored, write_patterns

from models.errors import SuggesterError, TagdeskError
from models.suggest import load_suggester, model_key


def failure(project) -> str:
    with pytest.raises(SuggesterError) as info:
        load_suggester(project)
    assert isinstance(info.value, TagdeskError)
    return str(info.value)


def test_pipeline_not_installed_names_the_pip_install_line(make_project):
    project = configure(make_project(), pipeline="xx_no_such_pipeline")
    msg = failure(project)
    assert str(project.folder) in msg and "tagdesk settings" in msg
    assert "'xx_no_such_pipeline' is not installed" in msg
    assert "pip install xx_no_such_pipeline" in msg
    with pytest.raises(SuggesterError, match="pip install xx_no_such_pipeline"):
        model_key(project)  # the GUI learns it at once too


def test_installed_package_that_is_not_a_pipeline(make_project):
    msg = failure(configure(make_project(), pipeline="rich"))
    assert "'rich' is not a spaCy pipeline" in msg


def test_folder_that_is_not_a_spacy_pipeline(make_project):
    project = make_project()
    (project.folder / "notes").mkdir()
    (project.folder / "notes" / "readme.txt").write_text("hello")
    msg = failure(configure(project, pipeline="notes"))
    assert "'notes' is a folder but not a spaCy pipeline (it has no config.cfg)" in msg


def test_pipeline_folder_whose_meta_json_is_not_an_object(make_project):
    project = make_project()
    (project.folder / "odd").mkdir()
    (project.folder / "odd" / "config.cfg").write_text("[nlp]\n")
    (project.folder / "odd" / "meta.json").write_text('["en", "core"]')
    msg = failure(configure(project, pipeline="odd"))
    assert "'odd' is a folder but not a spaCy pipeline (it has no readable meta.json)" in msg


def test_missing_pipeline_folder(make_project):
    msg = failure(configure(make_project(), pipeline="training/model-best"))
    assert "folder 'training/model-best' not found" in msg


def test_pipeline_without_ner(make_project):
    project = make_project()
    save_pipeline(project.folder / "sents", components=("sentencizer",))
    msg = failure(configure(project, pipeline="./sents"))
    assert "pipeline './sents' has no ner component (its components: sentencizer)" in msg
    assert "trained for named entities" in msg


@pytest.mark.parametrize(
    "line, problem",
    [
        ('{"label": "ORG", "pattern": "Acme"', "not valid JSON"),
        ('["ORG", "Acme"]', "expected one JSON object per line"),
        ('{"pattern": "Acme"}', '"label" is missing'),
        ('{"label": "ANIMAL", "pattern": "Rex"}', "label 'ANIMAL' is not a project label"),
        ('{"label": "ORG", "pattern": []}', '"pattern" must be a phrase'),
        ('{"label": "ORG", "pattern": [{"LOWERR": "acme"}]}', "bad token pattern"),
        ('{"label": "ORG", "pattern": "Acme", "score": 1}', "unknown key 'score'"),
    ],
)
def test_bad_patterns_line_names_file_and_line(make_project, line, problem):
    project = make_project()
    path = write_patterns(project.folder / "p.jsonl", [{"label": "ORG", "pattern": "Acme Corp"}, "", line])
    project = configure(project, pipeline="", patterns=["p.jsonl"])
    msg = failure(project)
    assert msg.startswith(f"{path}:3: ")
    assert problem in msg


def test_missing_patterns_file(make_project):
    project = configure(make_project(), pipeline="", patterns=["rules/orgs.jsonl"])
    msg = failure(project)
    assert "patterns setting" in msg and "orgs.jsonl not found" in msg


def test_nothing_to_suggest_with(make_project):
    project = configure(make_project(), pipeline="")
    assert "no pipeline and no patterns are set" in failure(project)
    with pytest.raises(SuggesterError, match="the pipeline setting is empty"):
        load_suggester(project, name="model")
    with pytest.raises(SuggesterError, match="the patterns setting is empty"):
        load_suggester(project, name="patterns")
    with pytest.raises(SuggesterError, match="no suggester named 'spacy'; choose one of model, model"):
        load_suggester(project, name="spacy")


def test_a_failure_stores_nothing_and_the_cli_prints_one_line(make_project, cli):
    project = make_project()
    save_pipeline(project.folder / "pipe")
    write_patterns(project.folder / "p.jsonl", ['{"label": "ORG"'])
    project = configure(project, pipeline="./pipe", patterns=["p.jsonl"])
    (doc,) = add_texts(project, ["Acme Corp"])
    code, out, err = cli("suggest", project.folder)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"tagdesk: error: {project.folder / 'p.jsonl'}:1: not valid JSON")
    assert stored(project, model_key(project), doc) is None
