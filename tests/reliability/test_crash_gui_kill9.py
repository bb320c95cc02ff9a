"""Crash safety through the real window: a child process runs `MainWindow` offscreen and annotates with real key
presses and mouse drags (gui_crash_child.py); it is killed with SIGKILL at random moments. After each kill the
project opens cleanly, `PRAGMA integrity_check` is ok, and every document is exactly in the state the window last
acknowledged (or, for the one action in flight when the kill came, in the state that action leads to)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import LABELS, SLOTS, make_child_project, read_acks

from models import check, store
from models.project import open_project

HERE = Path(__file__).resolve().parent
CHILD = HERE / "gui_crash_child.py"
MODEL_KEY = "crash-model@1"  # as in gui_crash_child.py
DOCS = 8
ROUNDS = 7
ALL_ACTIONS = {"drag", "label", "delete", "enter", "accepted", "rejected", "ignored", "undo"}
pytestmark = pytest.mark.slow


def make_gui_project(folder: Path) -> Path:
    """DOCS slot texts (slot k = characters 5k..5k+4), each with stored model suggestions of one or two words."""
    make_child_project(folder, docs=DOCS)
    with open_project(folder) as project, project.writing() as s:
        for doc in range(1, DOCS + 1):
            spans = [
                {
                    "start": 5 * k,
                    "end": 5 * k + (4 if (k // 4 + doc) % 2 else 9),
                    "label": LABELS[(k + doc) % 3],
                    "origin": "model",
                    "score": 0.8,
                }
                for k in range(doc % 4, SLOTS - 1, 4)
            ]
            store.store_suggestions(doc, MODEL_KEY, spans, session=s)
        s.commit()
    return folder


def start(folder: Path, settings: Path, seed: int, out: Path, err: Path, env: dict) -> subprocess.Popen:
    with open(out, "wb") as fo, open(err, "wb") as fe:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), str(settings), str(seed)],
            stdin=subprocess.PIPE,  # a child told to hold waits on it
            stdout=fo,
            stderr=fe,
            env=env,
        )


def wait_for(child: subprocess.Popen, out: Path, err: Path, acks: int = 0, timeout: float = 60.0) -> None:
    """Until the window is ready and has acknowledged `acks` actions (killing after a number of actions, not a
    number of seconds, keeps the test as thorough on a busy machine)."""
    deadline = time.monotonic() + timeout
    while (b'"ready"' not in (data := out.read_bytes())) or data.count(b'"kind": "ack"') < acks:
        assert child.poll() is None, f"child exited early ({child.returncode}): {err.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the window never became ready"
        time.sleep(0.02)


def stored_state(folder: Path) -> dict[int, dict]:
    """Open the project as a user would; `tagdesk check` passes (integrity ok, the event log's replay rebuilds
    every annotation exactly); each document's status, spans and dismissals."""
    with open_project(folder) as project:
        report = check.check_project(project)
        assert report.ok, report.summary()
        state = {}
        with project.session() as s:
            for doc in range(1, DOCS + 1):
                ann = store.get_annotation(doc, session=s, annotator=project.annotator)
                spans = store.span_tuples(doc, session=s, annotator=project.annotator)
                state[doc] = {
                    "status": ann.status if ann else "pending",
                    "spans": sorted([st, en, lab] for _i, st, en, lab, _o, _sc in spans),
                    "dismissed": sorted(
                        list(d) for d in store.dismissals_of(doc, session=s, annotator=project.annotator)
                    ),
                }
    return state


def differences(stored: dict, wanted: dict) -> str:
    out = []
    for key in ("status", "spans", "dismissed"):
        a, b = stored[key], wanted[key]
        if key == "status":
            if a != b:
                out.append(f"status {a!r}, not {b!r}")
            continue
        extra, missing = [x for x in a if x not in b], [x for x in b if x not in a]
        if extra or missing:
            out.append(f"{key}: stored but not expected {extra}, expected but not stored {missing}")
    return "; ".join(out)


def check_round(folder: Path, expected: dict[int, dict], lines: list[dict]) -> str | None:
    """Fold this round's acknowledgements into `expected` (the last one per document wins), then compare with the
    database. A final intent without its ack is the action the kill interrupted: before or after it, both fine.
    Returns where the kill came: None between actions, else "before" or "landed" (the interrupted action is
    not stored / is stored)."""
    in_flight, where = None, None
    for line in lines:
        if line["kind"] in ("ready", "holding"):
            continue
        if line["kind"] == "ack":
            expected[line["doc"]] = {k: line[k] for k in ("status", "spans", "dismissed")}
        in_flight = line if line["kind"] == "intent" else None
    stored = stored_state(folder)
    for doc in range(1, DOCS + 1):
        if in_flight is not None and in_flight["doc"] == doc:
            landed = {k: in_flight[k] for k in ("status", "spans", "dismissed")}
            assert stored[doc] in (expected[doc], landed), (
                f"document {doc} is neither as acknowledged nor as the interrupted {in_flight['what']} leaves it. "
                f"Against the ack: {differences(stored[doc], expected[doc])}. "
                f"Against the {in_flight['what']}: {differences(stored[doc], landed)}"
            )
            where = "before" if stored[doc] == expected[doc] else "landed"
            expected[doc] = stored[doc]
        else:
            assert stored[doc] == expected[doc], (
                f"document {doc}: an acknowledged state is lost: {differences(stored[doc], expected[doc])}"
            )
    return where if in_flight is not None else None


# Rounds killed at a known point (the child holds there, waiting on a pipe): while the window opens the project,
# inside a decision's transaction, and between its commit and the window showing it.
HELD = ["opening", "committing:7", "committed:4", "committing:15", "committed:20"]


def wait_holding(child: subprocess.Popen, out: Path, err: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while b'"holding"' not in out.read_bytes():
        assert child.poll() is None, f"child exited early ({child.returncode}): {err.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the window never reached the point to be killed at"
        time.sleep(0.02)


def test_sigkill_of_the_window_loses_no_acknowledged_edit(tmp_path):
    folder = make_gui_project(tmp_path / "proj")
    settings = tmp_path / "settings.ini"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    rng = random.Random(6127)
    expected = {doc: {"status": "pending", "spans": [], "dismissed": []} for doc in range(1, DOCS + 1)}
    done: Counter = Counter()
    kinds: Counter = Counter()
    for rnd in range(ROUNDS + len(HELD)):
        out, err = tmp_path / f"acks-{rnd}.jsonl", tmp_path / f"err-{rnd}.txt"
        held = HELD[rnd - ROUNDS] if rnd >= ROUNDS else None
        child = start(folder, settings, rnd, out, err, {**env, "TAGDESK_TEST_HOLD": held} if held else env)
        if held:
            wait_holding(child, out, err)
        else:
            wait_for(child, out, err, acks=rng.randint(10, 50))
            time.sleep(rng.uniform(0.0, 0.05))
        assert child.poll() is None, f"the window ended by itself ({child.returncode}): {err.read_text()[-2000:]}"
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdin.close()
        lines = read_acks(out)
        where = check_round(folder, expected, lines)
        if held == "opening":
            assert [line["kind"] for line in lines] == ["holding"], lines
            kinds["while opening"] += 1
        elif held:
            assert lines[-1] == {"kind": "holding", "at": held.split(":")[0]} and lines[-2]["kind"] == "intent"
            # inside the transaction: nothing of it is stored; after its commit: all of it is
            wanted = "before" if held.startswith("committing") else "landed"
            assert where == wanted, f"round {rnd}, killed {held}: the interrupted action is {where}"
            kinds[held.split(":")[0]] += 1
        else:
            kinds["mid-action" if where else "between actions"] += 1
        done.update(line["what"] for line in lines if line["kind"] == "ack")
    print(f"{sum(done.values())} acknowledged actions {dict(done)}; kills: {dict(kinds)}")
    assert sum(done.values()) >= 10 * ROUNDS, f"only {sum(done.values())} actions acknowledged: {done}"
    assert set(done) == ALL_ACTIONS, f"some actions never ran: {done}"
    assert kinds["while opening"] == 1 and kinds["committing"] == 2 and kinds["committed"] == 2, kinds


def test_the_child_acknowledgements_describe_the_database(tmp_path):
    """The same child without a kill's randomness: its acks, read back, match the database exactly (so the check
    above compares like with like), and a lying ack (one written before its action) is caught."""
    folder = make_gui_project(tmp_path / "proj")
    settings = tmp_path / "settings.ini"
    out, err = tmp_path / "acks.jsonl", tmp_path / "err.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = start(folder, settings, 99, out, err, env)
    wait_for(child, out, err, acks=60)
    child.send_signal(signal.SIGKILL)
    child.wait()
    lines = read_acks(out)
    expected = {doc: {"status": "pending", "spans": [], "dismissed": []} for doc in range(1, DOCS + 1)}
    check_round(folder, expected, lines)
    assert any(expected[d]["spans"] for d in expected)
    wrong = json.loads(json.dumps(lines))
    last_ack = max(i for i, line in enumerate(wrong) if line["kind"] == "ack")
    wrong = wrong[: last_ack + 1]
    wrong[-1]["spans"] = [*wrong[-1]["spans"], [0, 1, LABELS[0]]]
    with pytest.raises(AssertionError, match=r"expected but not stored \[\[0, 1, 'PERSON'\]\]"):
        check_round(folder, {doc: {"status": "pending", "spans": [], "dismissed": []} for doc in expected}, wrong)


def test_a_window_that_acknowledges_before_saving_is_caught(tmp_path):
    """The same child, lying: TAGDESK_TEST_ACK_BEFORE=1 makes it acknowledge each action before doing it. Killed
    right after such an acknowledgement (it holds there), the check must find the acknowledged state missing."""
    folder = make_gui_project(tmp_path / "proj")
    settings = tmp_path / "settings.ini"
    out, err = tmp_path / "acks.jsonl", tmp_path / "err.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TAGDESK_TEST_ACK_BEFORE": "1"}
    child = start(folder, settings, 5, out, err, {**env, "TAGDESK_TEST_HOLD_AFTER_ACK": "12"})
    deadline = time.monotonic() + 60
    while b'"holding"' not in out.read_bytes():
        assert child.poll() is None, f"child exited early ({child.returncode}): {err.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the lying child never held"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    lines = read_acks(out)
    assert lines[-1]["kind"] == "holding" and lines[-2]["kind"] == "ack"
    expected = {doc: {"status": "pending", "spans": [], "dismissed": []} for doc in range(1, DOCS + 1)}
    with pytest.raises(AssertionError, match="an acknowledged state is lost"):
        check_round(folder, expected, lines)
