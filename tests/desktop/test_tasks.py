"""desktop.tasks: a plain-callback function on the thread pool, results on the GUI thread, cancel."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop.tasks import run_task


def test_progress_and_result_arrive_on_the_gui_thread(qtbot):
    seen = []
    worker_threads = []

    def work(report, should_stop):
        worker_threads.append(threading.get_ident())
        for i in range(3):
            report(i + 1, 3)
        return "done"

    task = run_task(work)
    task.progress.connect(lambda args: seen.append((args, QThread.currentThread() is QApplication.instance().thread())))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["done"]
    assert [a for a, _gui in seen] == [(1, 3), (2, 3), (3, 3)]
    assert all(gui for _a, gui in seen)
    assert worker_threads and worker_threads[0] != threading.get_ident()


def test_cancel_stops_the_function(qtbot):
    steps = []

    def work(report, should_stop):
        while not should_stop():
            steps.append(1)
            time.sleep(0.01)
        return len(steps)

    task = run_task(work)
    qtbot.waitUntil(lambda: len(steps) > 2, timeout=5000)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    finished = []
    task.finished.connect(finished.append)
    qtbot.wait(50)
    assert finished == []


def test_failure_is_delivered_not_swallowed(qtbot):
    def work(report, should_stop):
        raise ValueError("bad input on line 3")

    task = run_task(work)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        pass
    exc = blocker.args[0]
    assert isinstance(exc, ValueError) and "line 3" in str(exc)
    assert "Traceback" in exc.traceback_text
