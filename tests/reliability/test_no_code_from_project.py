"""Loading a project never executes code from it, and its database_url cannot reach outside its folder."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from models.config import CONFIG_NAME
from models.errors import ConfigError
from models.project import open_project, resolve_database_url

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [ROOT / "models", ROOT / "desktop"]
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib", "jsonpickle"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _dotted(func: ast.AST) -> str:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    # the root of the chain: a name (eval, builtins.exec) or an expression (insert(t).compile: a method, not the
    # builtin)
    parts.append(func.id if isinstance(func, ast.Name) else "<expr>")
    return ".".join(reversed(parts))


def _own_module_name(arg: ast.AST) -> bool:
    """import_module(f"{__name__}.{x}") or a literal: a module of Tagdesk itself, not a name from a file."""
    if isinstance(arg, ast.Constant):
        return True
    return (
        isinstance(arg, ast.JoinedStr)
        and isinstance(arg.values[0], ast.FormattedValue)
        and isinstance(arg.values[0].value, ast.Name)
        and arg.values[0].value.id == "__name__"
    )


def test_no_pickle_eval_or_exec_in_the_code():
    problems = []
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            where = path.relative_to(ROOT)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    problems += [
                        f"{where}:{node.lineno}: import {a.name}"
                        for a in node.names
                        if a.name.split(".")[0] in UNSAFE_MODULES
                    ]
                elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
                    problems.append(f"{where}:{node.lineno}: from {node.module} import")
            for call in _calls(tree):
                name = _dotted(call.func)
                if name in UNSAFE_CALLS or name.removeprefix("builtins.") in UNSAFE_CALLS:
                    problems.append(f"{where}:{call.lineno}: {name}()")
                if name.endswith("import_module") and not (call.args and _own_module_name(call.args[0])):
                    problems.append(f"{where}:{call.lineno}: import_module of a computed name")
                if any(k.arg == "allow_pickle" for k in call.keywords) or name.endswith("yaml.load"):
                    problems.append(f"{where}:{call.lineno}: {name}(...) can unpickle")
    assert problems == [], "code that can run data as code:\n" + "\n".join(problems)


def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    """The scan above is not blind: a planted eval, pickle import and computed import_module are reported."""
    planted = tmp_path / "models"
    planted.mkdir()
    (planted / "bad.py").write_text(
        "import pickle\nimport importlib\nx = eval('1')\nimportlib.import_module(config.name)\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", [planted])
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError) as err:
        test_no_pickle_eval_or_exec_in_the_code()
    assert "import pickle" in str(err.value) and "eval()" in str(err.value) and "computed name" in str(err.value)


HOSTILE_CONFIG = """
[project]
name = "__import__('os').system('touch {marker}')"
annotator = "{{{{7*7}}}} $(touch {marker}) `touch {marker}`"
database_url = "sqlite:///tagdesk.sqlite"

[model]
pipeline = "__import__('os').system('touch {marker}')"
patterns = ["$(touch {marker})"]
label_map = {{ "ORG" = "drop" }}

[[labels]]
name = "!!python/object/apply:os.system ['touch {marker}']"
color = "#4e79a7"
key = "1"

[[labels]]
name = "{{{{ __import__('os') }}}}"
color = "#f28e2b"
"""


def test_a_hostile_config_is_only_data(tmp_path):
    marker = tmp_path / "PWNED"  # every trick below would create it (the child runs in tmp_path)
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / CONFIG_NAME).write_text(HOSTILE_CONFIG.format(marker="PWNED"), encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text('{"text": "a harmless text", "meta": {"x": "$(touch PWNED)"}}\n')
    script = (
        "import sys\nfrom desktop.cli import main\n"
        'codes = [main(a) for a in (["import", sys.argv[1], sys.argv[2]], ["stats", sys.argv[1], "--json"],'
        ' ["backup", sys.argv[1]])]\nprint(codes)\n'
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(tmp_path / "docs.jsonl")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().endswith("[0, 0, 0]"), run.stdout + run.stderr
    stats = json.loads(run.stdout[run.stdout.index("{") : run.stdout.rindex("}") + 1])
    assert stats["annotator"] == "{{7*7}} $(touch PWNED) `touch PWNED`"  # shown literally, not evaluated
    assert stats["documents"] == 1
    assert not marker.exists()


def test_the_database_refuses_side_effect_functions_in_a_crafted_schema(project):
    with project.engine.connect() as conn:
        assert conn.execute(text("PRAGMA trusted_schema")).scalar() == 0


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("sqlite:///tagdesk.sqlite", True),
        ("sqlite:///data/tagdesk.sqlite", True),
        ("sqlite:///data/../tagdesk.sqlite", True),
        ("sqlite:///../../x.sqlite", False),
        ("sqlite:///../proj-other/tagdesk.sqlite", False),
        ("sqlite:////etc/x.sqlite", False),
        ("sqlite:///" + "../" * 40 + "tmp/x.sqlite", False),
        ("sqlite:///tagdesk.sqlite?mode=ro&uri=true", False),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
    ],
)
def test_a_sqlite_database_stays_inside_the_project_folder(tmp_path, url, allowed):
    folder = tmp_path / "proj"
    folder.mkdir()
    if allowed:
        resolved = resolve_database_url(url, folder)
        assert Path(resolved.removeprefix("sqlite:///")).resolve().is_relative_to(folder.resolve())
    else:
        with pytest.raises(ConfigError) as err:
            resolve_database_url(url, folder)
        assert str(err.value).startswith(f"{folder / CONFIG_NAME}: project.database_url")


def test_an_absolute_path_inside_the_folder_and_a_server_url_are_allowed(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    inside = f"sqlite:///{folder.resolve()}/tagdesk.sqlite"
    assert resolve_database_url(inside, folder) == inside
    assert resolve_database_url("postgresql://db.example/tagdesk", folder) == "postgresql://db.example/tagdesk"


def test_opening_a_project_that_points_outside_creates_nothing_there(make_project, tmp_path, cli):
    project = make_project()
    project.close()
    cfg = project.config_path.read_text(encoding="utf-8")
    project.config_path.write_text(
        cfg.replace('database_url = "sqlite:///tagdesk.sqlite"', 'database_url = "sqlite:///../../escaped.sqlite"'),
        encoding="utf-8",
    )
    code, _, err = cli("stats", project.folder)
    assert code == 1 and "outside the project folder" in err and "postgresql://" in err
    with pytest.raises(ConfigError):
        open_project(project.folder)
    assert not list(tmp_path.parent.glob("escaped.sqlite*")) and not list(tmp_path.glob("escaped.sqlite*"))
