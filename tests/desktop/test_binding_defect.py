"""PySide6 6.12.0 on Python < 3.12 drops a reference to None on every void Qt call and aborts the interpreter.

pyproject.toml excludes that combination; this test makes 100,000 void calls in a child process so that a
binding release with the same defect fails CI instead of crashing annotators mid-sentence.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_100k_void_qt_calls_exit_cleanly():
    script = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QObject, QPoint
        from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        before = sys.getrefcount(None)
        obj, point = QObject(), QPoint()
        doc = QTextDocument("Li Qiang met Vladimir Putin at the Kremlin." * 20)
        cursor = QTextCursor(doc)
        fmt = QTextCharFormat()
        n = doc.characterCount() - 1
        for i in range(25_000):
            obj.setObjectName("x")
            point.setX(i)
            cursor.setPosition(i % n)
            cursor.mergeCharFormat(fmt)
        print("done", sys.getrefcount(None) - before)
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr[-500:]}"
    assert "none_dealloc" not in r.stderr
    tag, drift = r.stdout.split()
    assert tag == "done"
    # None's refcount must not fall by one per call (the defect: -100,000); Python 3.12+ makes None immortal.
    assert int(drift) > -1000
