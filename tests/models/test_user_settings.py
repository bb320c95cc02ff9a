"""The annotator's name lives in a per-user settings file (no Qt): set once, used by every project; an old
project's `project.annotator` is the fallback; a bad file is one clear message."""

from __future__ import annotations

import pytest

from models import user_settings
from models.errors import ConfigError
from models.project import open_project


def test_the_users_name_wins_over_the_projects_default(project, cli):
    assert project.annotator == "ann"  # the project's default: nobody set a name yet
    code, out, _err = cli("whoami", "--set", "  Zoë Dupont ")
    assert code == 0 and "Zoë Dupont" in out
    assert user_settings.settings_path().read_text(encoding="utf-8").endswith('annotator = "Zoë Dupont"\n')
    with open_project(project.folder) as again:
        assert again.annotator == "Zoë Dupont"
    code, out, _err = cli("whoami")
    assert out.startswith("Zoë Dupont (from ")


def test_without_any_name_the_login_name_is_used(make_project, monkeypatch):
    monkeypatch.setattr(user_settings, "login_name", lambda: "loginuser")
    from models.project import new_project

    p = new_project(make_project().folder.parent / "no-default", ["A"])
    try:
        assert (p.annotator, p.annotator_source) == ("loginuser", "login name")
    finally:
        p.close()


@pytest.mark.parametrize(
    "body,expected",
    [
        ("annotator = 3\n", "annotator: expected a name in quotes"),
        ('annotater = "x"\n', "unknown key 'annotater'"),
        ('annotator = "  "\n', "the annotator's name is empty"),
        ("annotator = [\n", "not valid TOML"),
    ],
)
def test_a_bad_settings_file_is_named_with_what_is_wrong(project, body, expected):
    path = user_settings.settings_path()
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        open_project(project.folder)
    assert str(err.value).startswith(str(path)) and expected in str(err.value)


def test_names_with_line_breaks_are_refused():
    with pytest.raises(ConfigError, match="line break"):
        user_settings.set_annotator("a\nb")
    assert not user_settings.settings_path().exists()
