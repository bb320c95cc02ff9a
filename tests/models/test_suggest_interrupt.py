"""`tagdesk suggest` interrupted with Ctrl-C (a real SIGINT to a real process): what was finished is kept, the
exit says how to resume, and running it again does the rest."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from suggest_support import add_texts, configure, save_pipeline

N = 4000


def suggested(project) -> int:
    con = sqlite3.connect(project.database_path)
    try:
        return con.execute("SELECT count(*) FROM suggestion").fetchone()[0]
    except sqlite3.OperationalError:  # locked for a moment by the writer
        return 0
    finally:
        con.close()


@pytest.mark.slow
def test_ctrl_c_keeps_finished_batches_and_a_rerun_resumes(make_project, tmp_path):
    project = make_project()
    save_pipeline(tmp_path / "pipe")
    project = configure(project, pipeline=str(tmp_path / "pipe"))
    filler = " The committee met again to discuss the budget, the schedule and the next steps." * 6
    add_texts(project, [f"Ada Lovelace visited Acme Corp in Paris, report {i}.{filler}" for i in range(N)])
    cmd = [sys.executable, "-m", "desktop", "suggest", str(project.folder), "--batch-size", "20", "--quiet"]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while suggested(project) < 40 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    done = suggested(project)
    assert child.returncode == 130, (out, err)
    assert "run the same command again" in err
    assert 40 <= done < N  # finished batches kept, not all done
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert suggested(project) == N  # the rest, and nothing twice (one row per document and key)
