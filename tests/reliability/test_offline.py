"""No network at run time: the whole workflow runs with sockets blocked (and, where possible, in a network
namespace with no interfaces at all)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).resolve().parent / "reliability_offline_child.py"

# The workflow, one `tagdesk` command per line; {proj}, {data} and {tmp} are filled in. Add a step in one line.
STEPS = [
    ["new", "{proj}", "--labels", "PERSON,ORG,GPE", "--annotator", "ann"],
    ["import", "{proj}", "{data}/docs.jsonl", "--quiet"],
    ["import", "{proj}", "{data}/docs.csv", "--quiet"],
    ["import", "{proj}", "{data}/article.txt", "--quiet"],
    ["suggest", "{proj}", "--quiet"],  # the real English pipeline, from its installed package
    ["export", "{proj}", "--format", "spacy", "--include", "pending", "--out", "{tmp}/all.spacy", "--quiet"],
    ["stats", "{proj}", "--json"],
    ["backup", "{proj}", "--out", "{tmp}/copy.sqlite"],
]


def no_interfaces() -> list[str]:
    """`unshare -n` (a network namespace without interfaces) when this machine allows it, else nothing."""
    for cmd in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which("unshare") and subprocess.run([*cmd, "true"], capture_output=True).returncode == 0:
            return cmd
    return []


@pytest.mark.slow
def test_the_workflow_needs_no_network(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "docs.jsonl").write_text(
        '{"text": "Ada Lovelace met Charles Babbage in London."}\n{"text": "Grace Hopper worked at Harvard."}\n',
        encoding="utf-8",
    )
    (data / "docs.csv").write_text("id,text\n1,Alan Turing was born in London.\n", encoding="utf-8")
    (data / "article.txt").write_text("Zoë visited CERN in Geneva.\n", encoding="utf-8")
    fill = {"proj": str(tmp_path / "proj"), "data": str(data), "tmp": str(tmp_path)}
    steps = [[arg.format(**fill) for arg in step] for step in STEPS]
    run = subprocess.run(
        [*no_interfaces(), sys.executable, str(CHILD), json.dumps(steps)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert "NETWORK ATTEMPT" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [r["code"] for r in results] == [0] * len(STEPS), run.stderr[-3000:]
    stats = json.loads(results[STEPS.index(["stats", "{proj}", "--json"])]["stdout"])
    assert stats["documents"] == 4
    assert stats["documents_with_suggestions"] == 4
    assert (tmp_path / "all.spacy").stat().st_size > 0


def test_the_guard_catches_a_connection(tmp_path):
    """The child's guard is not blind: a step that opens a connection is reported."""
    probe = (
        f"import runpy, socket; runpy.run_path({str(CHILD)!r})['block_network'](); "
        "socket.create_connection(('192.0.2.1', 80), timeout=1)"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "NETWORK ATTEMPT: create_connection" in run.stderr
