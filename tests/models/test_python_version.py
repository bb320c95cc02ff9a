"""The Python version Tagdesk advertises is one it runs on: the oldest version allowed by pyproject.toml, the
Makefile's interpreter probe and the README agree, and the code imports nothing that version lacks."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Standard-library modules added after 3.10, with the version that added them.
NEWER_STDLIB = {"tomllib": (3, 11)}


def _advertised() -> tuple[int, int]:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    m = re.fullmatch(r">=\s*3\.(\d+)", spec)
    assert m, f"requires-python {spec!r} is not a plain lower bound"
    return 3, int(m.group(1))


def test_pyproject_makefile_and_readme_name_the_same_oldest_python():
    major, minor = _advertised()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"sys.version_info < ({major}, {minor})" in makefile
    assert f"python{major}.{minor - 1}" not in makefile, "the probe still tries an interpreter that is too old"
    assert f"Python {major}.{minor}+" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_no_module_needs_a_newer_python_than_advertised():
    oldest = _advertised()
    offenders = []
    for package in ("models", "desktop", "resources"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    needs = NEWER_STDLIB.get(name.split(".")[0])
                    if needs and needs > oldest:
                        offenders.append(f"{path.relative_to(ROOT)} imports {name} (Python {needs[0]}.{needs[1]}+)")
    assert offenders == []
