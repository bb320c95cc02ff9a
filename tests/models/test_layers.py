"""`models/` is the core without a screen: it never imports Qt or `desktop`."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import models

MODELS = Path(models.__file__).parent


def test_no_models_module_imports_qt_or_desktop_in_its_source():
    offenders = []
    for path in MODELS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(MODELS)}: {n}"
                for n in names
                if n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6", "desktop")
            ]
    assert offenders == []


def test_importing_every_models_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, models\n"
        "for m in pkgutil.walk_packages(models.__path__, 'models.'):\n"
        "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'shiboken6', 'desktop'))\n"
        "print(len([k for k in sys.modules if k.startswith('models')]), bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, bad = out.split(" ", 1)
    assert int(count) > 10
    assert bad.strip() == "[]"


def test_walk_finds_the_modules():
    assert {m.name for m in pkgutil.iter_modules(models.__path__)} >= {"store", "config", "project", "cli", "formats"}


def test_the_format_registry_is_whole_after_one_format_module_was_imported_directly():
    code = (
        "import models.formats.spacy; from models.formats import get_format, all_formats; "
        "get_format('jsonl'); print(sorted(all_formats()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert {"jsonl", "csv", "text", "spacy", "conll", "brat"} <= set(ast.literal_eval(out.stdout))
