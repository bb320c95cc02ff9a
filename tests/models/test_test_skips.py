"""A test that skips for want of material or a tool fails instead when CI is set: on CI a skip hides regressions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_pytest(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_interop_tests_fail_under_ci_when_their_files_are_missing(tmp_path):
    args = ["tests/models/test_formats_interop.py", "-k", "doccano"]
    missing = str(tmp_path / "no-interop")
    here = run_pytest(args, TAGDESK_TEST_INTEROP=missing)
    assert here.returncode == 0 and "skipped" in here.stdout and "failed" not in here.stdout, here.stdout
    on_ci = run_pytest(args, TAGDESK_TEST_INTEROP=missing, CI="true")
    assert on_ci.returncode == 1 and "CI is set, so this test may not be skipped" in on_ci.stdout, on_ci.stdout


def test_a_missing_tool_fails_under_ci(tmp_path):
    test = tmp_path / "test_needs_a_tool.py"
    test.write_text(
        "from tests.conftest import unavailable\n\ndef test_it():\n    unavailable('the tool is not installed')\n",
        encoding="utf-8",
    )
    args = [str(test), "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")]
    assert run_pytest(args).returncode == 0
    on_ci = run_pytest(args, CI="1")
    assert on_ci.returncode == 1 and "the tool is not installed (CI is set" in on_ci.stdout, on_ci.stdout
