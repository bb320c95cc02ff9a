"""CLI manners: help lists every option, --version, user errors are one line, --debug shows the traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from models.cli import build_parser


def subcommands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices


def test_every_subcommand_help_lists_every_option(capsys):
    from desktop.cli import main

    for name, sub in subcommands().items():
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        for action in sub._actions:
            for opt in action.option_strings:
                assert opt in out, f"{name} --help does not show {opt}"


def test_top_help_lists_commands_and_version(capsys):
    from desktop.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("new", "import", "stats", "open"):
        assert cmd in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("tagdesk 0.")


def test_new_import_stats_flow_in_a_real_process(tmp_path):
    """The issue's own sentence: new, import, stats; run as a user would (console script in a subprocess)."""
    exe = [sys.executable, "-m", "desktop"]
    src = tmp_path / "some.jsonl"
    src.write_text('{"text": "Li Qiang met Putin."}\n{"text": "Rain in Lisbon."}\n', encoding="utf-8")
    run = lambda *a: subprocess.run([*exe, *map(str, a)], capture_output=True, text=True, cwd=tmp_path)  # noqa: E731
    r = run("new", "scratch", "--labels", "PERSON,ORG")
    assert r.returncode == 0, r.stderr
    r = run("import", "scratch", src)
    assert r.returncode == 0 and "2 new documents" in r.stdout
    r = run("stats", "scratch", "--json")
    data = json.loads(r.stdout)
    assert data["documents"] == 2 and data["statuses"]["pending"] == 2
    r = run("stats", "scratch")
    assert "Documents by status" in r.stdout and "pending" in r.stdout


def test_user_error_is_one_line_exit_1_and_debug_shows_traceback(tmp_path):
    exe = [sys.executable, "-m", "desktop"]
    r = subprocess.run([*exe, "stats", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "no tagdesk.toml here" in r.stderr and "tagdesk new" in r.stderr
    r = subprocess.run([*exe, "--debug", "stats", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" in r.stderr


def test_new_with_bad_labels_is_refused(cli, tmp_path):
    code, _, err = cli("new", tmp_path / "p", "--labels", "PERSON,PERSON")
    assert code == 1 and "PERSON listed twice" in err
    assert not (tmp_path / "p" / "tagdesk.toml").exists()
