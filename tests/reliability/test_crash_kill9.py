"""Crash safety with real processes: a child Tagdesk process making decisions (spans, statuses, accepts with the
model's suggestions and their undo, imports) is killed with SIGKILL at random moments and at known ones (while
opening the project, inside a transaction, between a commit and its acknowledgement). Every decision it
acknowledged must be on disk, the project must open cleanly, and `tagdesk check`'s replay must rebuild it."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from reliability_helpers import check_project, decisions, make_child_project, read_acks, start_child

from models.config import CONFIG_NAME, make_config, save_config
from models.db.engine import current_revision, head_revision
from models.project import open_project
from tests.dbtools import integrity_problems

ROUNDS = 20
pytestmark = pytest.mark.slow


def wait_ready(child, out, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while b'"ready"' not in out.read_bytes():
        if child.poll() is not None:
            pytest.fail(f"child exited early ({child.returncode}): {child.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail("child never became ready")
        time.sleep(0.01)


def kill(child) -> None:
    assert child.poll() is None, f"child ended by itself: {child.stderr.read().decode()[-2000:]}"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    child.stdin.close()


def wait_for_line(child, out, op: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(a["op"] == op for a in read_acks(out)):
        if child.poll() is not None:
            pytest.fail(f"child exited early ({child.returncode}): {child.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"child never said {op!r}")
        time.sleep(0.01)


# Rounds killed at a known point: the child stops there and waits on a pipe, so the kill lands exactly there.
HELD = [
    "opening",
    "committing:3",
    "committed:5",
    "committing:17",
    "committed:1",
    "opening",
    "committing:40",
    "committed:23",
]


def wait_acks(child, out, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(decisions(read_acks(out))) < count:
        if child.poll() is not None:
            pytest.fail(f"child exited early ({child.returncode}): {child.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"child made fewer than {count} decisions in {timeout:.0f} s")
        time.sleep(0.005)


@pytest.mark.backends
def test_sigkill_at_random_moments_loses_no_acknowledged_decision(tmp_path, backend):
    folder = make_child_project(tmp_path / "proj", database_url=backend.database_url())
    rng = random.Random(61127)
    seen_events = 0
    acked = 0
    kinds: Counter = Counter()
    for rnd in range(ROUNDS + len(HELD)):
        out = tmp_path / f"acks-{rnd}.jsonl"
        held = HELD[rnd - ROUNDS] if rnd >= ROUNDS else None
        if held is None:
            child = start_child(folder, rnd, 0, out, "--imports")
            wait_ready(child, out)
            # kill after a random number of acknowledged decisions (as thorough on a busy machine), then a random
            # moment within the next ones
            wait_acks(child, out, rng.randint(26, 60))
            time.sleep(rng.uniform(0.0, 0.05))
        else:
            child = start_child(folder, rnd, 0, out, "--hold", held)
            wait_for_line(child, out, held.split(":")[0])
        kill(child)
        acks = read_acks(out)
        log = check_project(folder, acks)
        made = len(decisions(acks))
        new = log.events - seen_events
        if held is None:
            # at most one decision committed but not yet acknowledged when the kill came
            assert made <= new <= made + 1, f"round {rnd}: {made} acknowledged, {new} stored"
            kinds["between or during decisions"] += 1
            kinds["interrupted after a commit"] += new == made + 1
        elif held == "opening":
            assert acks == [{"op": "opening"}] and new == 0, f"round {rnd}: {acks}, {new} stored"
            kinds["while opening"] += 1
        elif held.startswith("committing"):
            # its statements ran, the commit never came: it is not there, and the project is sound
            assert acks[-1] == {"op": "committing", "decision": int(held.split(":")[1])} and new == made, (rnd, acks)
            kinds["inside a transaction"] += 1
        else:
            # committed, never acknowledged: it is there (the one decision the annotator may not have seen saved)
            assert acks[-1] == {"op": "committed", "decision": int(held.split(":")[1])} and new == made + 1, (rnd, acks)
            kinds["after a commit, before its acknowledgement"] += 1
        seen_events = log.events
        acked += made
    print(dict(kinds))
    assert acked > 20 * ROUNDS, f"only {acked} decisions were made: the test did not exercise much"
    assert kinds["while opening"] == 2 and kinds["inside a transaction"] == 3, kinds
    assert kinds["after a commit, before its acknowledgement"] == 3 and kinds["between or during decisions"] == ROUNDS


OPEN_CHILD = (
    "import sys\nfrom models.project import open_project\nprint('opening', flush=True)\n"
    "open_project(sys.argv[1]).close()\nprint('opened', flush=True)\n"
)


@pytest.mark.backends
def test_sigkill_while_a_new_database_is_being_created(tmp_path, backend):
    """Killed during the first open (schema being created): the next open finishes the job."""
    for rnd, delay in enumerate([0.07 * k for k in range(6)]):  # the open takes ~0.3 s: kill across all of it
        folder = tmp_path / f"p{rnd}"
        folder.mkdir()
        url = backend.database_url(empty=True)
        save_config(make_config("p", ["PERSON"], annotator="ann", database_url=url), folder / CONFIG_NAME)
        child = subprocess.Popen([sys.executable, "-c", OPEN_CHILD, str(folder)], stdout=subprocess.PIPE)
        assert child.stdout.readline() == b"opening\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        with open_project(folder) as project:
            assert current_revision(project.engine) == head_revision()
            assert integrity_problems(project) == []
