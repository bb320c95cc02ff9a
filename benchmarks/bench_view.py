"""The annotation window on long articles: time to open a document with its highlights painted, and time from a
key press (relabel, accept one suggestion, delete) to the repaint, for 3 KB, 100 KB and 1 MB texts with one span
per 60 characters (half stored spans, half pending suggestions). Offscreen Qt, a real project file.

Aims: open < 50 ms at 3 KB and < 1 s at 1 MB; key-to-repaint < 16 ms at every size.
Run: QT_QPA_PLATFORM=offscreen python -m benchmarks bench_view
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = [("3 KB", 3_000), ("100 KB", 100_000), ("1 MB", 1_000_000)]
SPAN_EVERY = 60
KEY = "bench@1"
REPEAT = 7


def _text(size: int) -> str:
    seed = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seed-article.txt"
    base = (
        seed.read_text(encoding="utf-8")
        if seed.exists()
        else ("Chinese Premier Li Qiang met Russian President Vladimir Putin at the Kremlin on Wednesday. ") * 40
    )
    return (base * (size // len(base) + 1))[:size]


def _spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One word every 60 characters; alternately a stored span and a suggestion."""
    stored, suggested = [], []
    for k, at in enumerate(range(0, len(text) - 20, SPAN_EVERY)):
        start = at
        while start < len(text) and not text[start].isalnum():
            start += 1
        end = start
        while end < len(text) and text[end].isalnum():
            end += 1
        if end > start:
            (stored if k % 2 == 0 else suggested).append((start, end))
    return stored, suggested


def _setup(folder: Path, size: int):
    from models import store
    from models.db.tables import Origin, Span
    from models.project import new_project

    project = new_project(folder, ["PERSON", "ORG", "GPE"], annotator="bench")
    text = _text(size)
    stored, suggested = _spans(text)
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=text), store.NewDocument(text="A short second document.")], session=s
        )
    with project.writing() as s:
        store.set_status(1, "pending", session=s, annotator="bench")
    with project.writing() as s:
        ann = store.get_annotation(1, session=s, annotator="bench")
        s.add_all(
            [Span(annotation_id=ann.id, start=a, end=b, label="ORG", origin=Origin.human.value) for a, b in stored]
        )
        store.store_suggestions(
            1,
            KEY,
            [{"start": a, "end": b, "label": "GPE", "origin": "model", "score": 0.9} for a, b in suggested],
            session=s,
        )
        s.commit()
    return project, len(stored), len(suggested)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


_in_store = [0.0]


def _time_store() -> None:
    """Count the time spent in the store's write functions (the durable commit, fsync included), so the
    view's own share of a key press can be told apart from the disk's."""
    from models import store

    for name in ("add_span", "remove_span", "update_span", "span_at", "dismiss_suggestion", "decide"):
        fn = getattr(store, name)

        def timed(*args, _fn=fn, **kwargs):
            t0 = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                _in_store[0] += time.perf_counter() - t0

        setattr(store, name, timed)


def main() -> None:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from desktop.app import make_app
    from desktop.main_window import MainWindow

    app = make_app()
    _time_store()
    print(
        f"median of {REPEAT}; key columns: key press -> committed -> repainted, total (view's share without "
        "the store's durable commit)"
    )
    print(
        f"{'size':>7} {'spans':>6} {'sugg.':>6} | {'open+paint':>10} {'all marked':>10} | {'relabel':>20} "
        f"{'accept 1 (Enter)':>20} {'delete':>20}"
    )
    for name, size in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            project, n_spans, n_sugg = _setup(Path(tmp) / "p", size)
            settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
            window = MainWindow(project, settings=settings, background=False)
            window.session.model_key = KEY
            window.resize(1360, 860)
            window.show()
            window.windowHandle().requestActivate()
            for _ in range(5):
                app.processEvents()
            session, view = window.session, window.text

            opens, coloured = [], []
            for _ in range(REPEAT):
                session.open_document(2)
                app.processEvents()
                t0 = time.perf_counter()
                session.open_document(1)
                view.viewport().repaint()
                opens.append(time.perf_counter() - t0)
                while not view.formatting_done():  # the rest is formatted between events
                    app.processEvents()
                coloured.append(time.perf_counter() - t0)

            def timed(key: Qt.Key, select) -> tuple[float, float]:
                select()
                app.processEvents()
                _in_store[0] = 0.0
                t0 = time.perf_counter()
                QTest.keyClick(view, key)  # store commit + view update ...
                app.processEvents()  # ... + the paint Qt scheduled for the changed lines
                total = time.perf_counter() - t0
                return total, total - _in_store[0]

            relabel, accept, delete = [], [], []
            for k in range(REPEAT + 1):  # the first round warms SQLAlchemy's statement cache: not counted
                spans = list(session.state.spans)
                target = spans[len(spans) // 2 + k]
                relabel.append(
                    timed(
                        Qt.Key.Key_3 if k % 2 == 0 else Qt.Key.Key_1,  # ORG -> GPE / PERSON
                        lambda t=target: session.select(t.key),
                    )
                )
                pend = sorted(session.state.pending.values())
                target = pend[len(pend) // 2]
                accept.append(timed(Qt.Key.Key_Return, lambda t=target: session.select(t.key)))
                delete.append(timed(Qt.Key.Key_Delete, lambda: None))  # the accepted one stays selected
                if k == 0:
                    relabel, accept, delete = [], [], []
            med = statistics.median

            def both(runs: list[tuple[float, float]]) -> str:
                return f"{_ms(med(r[0] for r in runs))} ({_ms(med(r[1] for r in runs))})"

            print(
                f"{name:>7} {n_spans:>6} {n_sugg:>6} | {_ms(med(opens)):>10} {_ms(med(coloured)):>10} | "
                f"{both(relabel):>20} {both(accept):>20} {both(delete):>20}",
                flush=True,
            )
            window.close()
            project.close()


if __name__ == "__main__":
    main()
