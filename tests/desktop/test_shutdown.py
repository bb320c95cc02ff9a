"""Quitting while background work runs: tasks are cancelled and waited for, and nothing prints a traceback."""

from __future__ import annotations

import sys
import threading
import time

import shiboken6
from PySide6.QtCore import QThreadPool

from desktop.tasks import run_task

TEXTS = ["Li Qiang met Putin.", "Merkel in Berlin."]


def _slow_work(log: dict):
    def work(report, should_stop):
        log["started"] = True
        while not should_stop():
            report(1, 2)
            time.sleep(0.01)
        log["saw_stop"] = True
        time.sleep(0.2)  # still busy after the window has gone: the report below must not blow up
        report(2, 2)
        log["ended"] = True
        return "done"

    return work


def test_closing_the_window_stops_and_waits_for_background_work(make_window, qtbot, capfd, monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    log: dict = {}
    w = make_window(TEXTS)
    task = run_task(_slow_work(log), name="slow fake")
    qtbot.waitUntil(lambda: log.get("started"), timeout=5000)
    w.close()
    assert log.get("saw_stop") and log.get("ended")  # the worker is over before the project closes
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    qtbot.wait(50)  # queued signals of the task are delivered now
    assert task.is_cancelled()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "RuntimeError" not in err
    assert unraisable == []


def test_a_worker_emitting_after_its_task_object_was_deleted_prints_nothing(qtbot, capfd, monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    go, log = threading.Event(), {}

    def work(report, should_stop):
        go.wait(5)
        report(1, 1)
        log["ended"] = True
        return "late"

    task = run_task(work, name="orphan")
    shiboken6.delete(task)  # as when the application tears its objects down while quitting
    go.set()
    assert QThreadPool.globalInstance().waitForDone(5000)
    assert log.get("ended")
    err = capfd.readouterr().err
    assert "Traceback" not in err and "RuntimeError" not in err
    assert unraisable == []
