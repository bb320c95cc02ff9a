"""docs/ARCHITECTURE.md is true to the code: every file or folder it names exists, and the README links to it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
# `desktop/session.py`, `models/store/`, `tests/data/schema_0001.db`: a path inside the repository, in backticks.
PATH = re.compile(r"`((?:models|desktop|resources|tests|benchmarks|docs|projects)/[^`\s<>*]*)`")


def named_paths(text: str) -> list[str]:
    return sorted(set(PATH.findall(text)))


def test_every_path_the_architecture_document_names_exists():
    names = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(names) > 30, "the pattern no longer finds the document's paths"
    missing = [n for n in names if not (ROOT / n).exists()]
    assert missing == [], f"docs/ARCHITECTURE.md names paths that do not exist: {missing}"


def test_the_check_finds_a_path_that_is_gone():
    assert named_paths("see `models/store/nothing_here.py` and `desktop/undo.py`") == [
        "desktop/undo.py",
        "models/store/nothing_here.py",
    ]
    assert not (ROOT / "models/store/nothing_here.py").exists()


def test_readme_links_to_the_architecture_document():
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
