"""Import and export of every format, as ratios against the raw engines in the same run.

    python -m benchmarks formats [--large] [--formats jsonl,labelstudio] [--sizes 1000,3000] [--repeat 2]

For each format with an importer, a corpus of annotated news-like articles (~3 KB, ~10 entities, ~600 tokens:
`benchmarks/corpus.py`, generated here) is written as that format at 1,000 / 3,000 / 10,000 documents
(and 30,000 with --large). Tagdesk imports it with `import_file` into a new project (all its checks, tokens,
annotations, spans, events) and exports it with `export_project`; the raw engines (`benchmarks/raw.py`) read the
same file with the simplest correct reader and `sqlite3.executemany` the same rows into the same schema in the
same commits, and write the same documents back with the standard library (a direct DocBin for .spacy), from
the same database, with the imported tokens for token formats. Both sides must write the same number of rows
in every table; the run says so when they do not.

Printed per format and size: microseconds per document (flat across sizes means linear), and the ratio raw /
Tagdesk (1.0 = as fast as the raw engines; aims: import >= 0.5, export >= 0.7). CPU seconds of this process
(other work shares the machine's two cores, which makes wall-clock ratios noise), best of --repeat alternating
runs (odd runs put the raw side first); exports are written to a memory file system when there is one. With
--large, the peak memory (max RSS) of importing the 30,000-document file, each side in a fresh process, is
printed too.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import corpus, raw

FORMATS = ["jsonl", "doccano", "labelstudio", "csv", "text", "conll", "iob", "biluo", "spacy", "brat"]
SUFFIX = {
    "jsonl": ".jsonl",
    "doccano": ".jsonl",
    "labelstudio": ".json",
    "csv": ".csv",
    "text": ".txt",
    "conll": ".conll",
    "iob": ".iob",
    "biluo": ".biluo",
    "spacy": ".spacy",
    "brat": "",
}
TABLES = ("document", "annotation", "span", "event", "import_run")
ANNOTATOR = "bench"


def _options(fmt: str):
    from models.formats import ReadOptions

    return ReadOptions(by_line=fmt == "text")


def tagdesk_import(fmt: str, src: Path, folder: Path) -> float:
    from models.formats import get_format, import_file
    from models.project import new_project

    with new_project(folder, corpus.LABELS, annotator=ANNOTATOR) as project:
        gc.collect()
        t0 = time.process_time()
        import_file(project, src, get_format(fmt), _options(fmt))
        return time.process_time() - t0


def raw_import(fmt: str, src: Path, db: Path) -> float:
    gc.collect()
    t0 = time.process_time()
    rows = raw.READERS[fmt](src)
    raw.store(db, rows, src.name, annotator=ANNOTATOR)
    return time.process_time() - t0


def tagdesk_export(fmt: str, folder: Path, out: Path) -> float:
    from models.formats import export_project, get_format
    from models.project import open_project

    with open_project(folder) as project:
        gc.collect()
        t0 = time.process_time()
        export_project(project, get_format(fmt), out)
        return time.process_time() - t0


def raw_export(fmt: str, db: Path, out: Path) -> float:
    gc.collect()
    t0 = time.process_time()
    raw.WRITERS[fmt](raw.load(db, ANNOTATOR), out)
    return time.process_time() - t0


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        out["tokens"] = con.execute("SELECT count(*) FROM document WHERE tokens IS NOT NULL").fetchone()[0]
        return out
    finally:
        con.close()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def run_one(fmt: str, n: int, docs: list[corpus.Doc], tmp: Path, empty_db: Path, repeat: int) -> dict:
    from models.formats import get_format

    src = corpus.write(fmt, docs[:n], tmp / f"{fmt}-{n}{SUFFIX[fmt] or '-brat'}")
    best = {"import": float("inf"), "raw_import": float("inf"), "export": float("inf"), "raw_export": float("inf")}
    same = True
    outputs = _output_folder(tmp)
    for r in range(repeat):
        folder, db = tmp / f"proj-{r}", tmp / f"raw-{r}.sqlite"
        shutil.copyfile(empty_db, db)
        # Odd runs put the raw side first: whichever side writes first after files were deleted pays the file
        # system's slow first creations (ext4 on a fresh VM), so a fixed order would bias the ratio.
        sides = [
            ("import", lambda: tagdesk_import(fmt, src, folder)),
            ("raw_import", lambda: raw_import(fmt, src, db)),
        ]
        for name, run in sides[:: -1 if r % 2 else 1]:
            best[name] = min(best[name], run())
        written = counts(folder / "tagdesk.sqlite")
        same = same and counts(db) == written
        if get_format(fmt).write is not None:
            out, raw_out = outputs / f"out{SUFFIX[fmt]}", outputs / f"raw-out{SUFFIX[fmt]}"
            sides = [
                ("export", lambda: tagdesk_export(fmt, folder, out)),
                ("raw_export", lambda: raw_export(fmt, folder / "tagdesk.sqlite", raw_out)),
            ]
            for name, run in sides[:: -1 if r % 2 else 1]:
                best[name] = min(best[name], run())
            _remove(out)
            _remove(raw_out)
        shutil.rmtree(folder)
        db.unlink()
    if outputs != tmp:
        shutil.rmtree(outputs)
    _remove(src)
    best["same_rows"] = same
    best["rows"] = written
    return best


def peak_memory(fmt: str, docs: list[corpus.Doc], tmp: Path, empty_db: Path) -> tuple[float, float, float]:
    """(file MB, Tagdesk's max RSS MB, the raw engines' max RSS MB) importing the file in a fresh process each."""
    src = corpus.write(fmt, docs, tmp / f"mem-{fmt}{SUFFIX[fmt] or '-brat'}")
    size = sum(p.stat().st_size for p in src.rglob("*")) if src.is_dir() else src.stat().st_size
    out = []
    for side in ("tagdesk", "raw"):
        target = tmp / ("mem-proj" if side == "tagdesk" else "mem-raw.sqlite")
        if side == "raw":
            shutil.copyfile(empty_db, target)
        cmd = [sys.executable, "-m", "benchmarks.bench_formats", "--child", side, fmt, str(src), str(target)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": "."})
        out.append(json.loads(res.stdout.strip().splitlines()[-1])["max_rss_mb"])
        _remove(target)
    _remove(src)
    return size / 1e6, out[0], out[1]


def _child(side: str, fmt: str, src: Path, target: Path) -> None:
    import spacy  # noqa: F401  (both sides pay for importing spaCy: the baseline of the memory figure)

    import models.formats  # noqa: F401

    if side == "tagdesk":
        tagdesk_import(fmt, src, target)
    else:
        raw_import(fmt, src, target)
    print(json.dumps({"max_rss_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory since it started (Linux VmHWM: unlike ru_maxrss it does not carry
    over the parent's from before exec), else ru_maxrss."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _output_folder(tmp: Path) -> Path:
    """Where both sides write their exports: a memory file system when the machine has one (creating files on
    this machine kind's disk costs 30-500 us each in the kernel, varying from one run to the next, which swamps
    the writers being compared: brat writes two files a document), else beside the projects."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="tagdesk-bench-", dir=shm))
    return tmp


def _empty_database(tmp: Path) -> Path:
    """A database with Tagdesk's current schema and nothing in it (the raw side writes into a copy)."""
    from models.project import new_project

    with new_project(tmp / "empty", corpus.LABELS, annotator=ANNOTATOR):
        pass
    return tmp / "empty" / "tagdesk.sqlite"


def _cells(mine: float, theirs: float, n: int) -> str:
    return f"{mine / n * 1e6:8.0f}{theirs / n * 1e6:8.0f}{theirs / mine:7.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks formats", description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="add 30,000 documents and peak memory")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs per size (best is kept)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args([] if argv is None else argv)
    if args.child:
        side, fmt, src, target = args.child
        _child(side, fmt, Path(src), Path(target))
        return
    import spacy  # noqa: F401  (import time is part of neither side)

    sizes = [int(s) for s in args.sizes.split(",")] + ([30_000] if args.large else [])
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    docs = corpus.documents(max(sizes))
    chars = sum(len(d.text) for d in docs[:1000]) / 1000
    ents = sum(len(d.spans) for d in docs[:1000]) / 1000
    toks = sum(len(d.tokens) for d in docs[:1000]) / 1000
    print(f"corpus: {chars:,.0f} characters, {toks:.0f} tokens, {ents:.1f} entities a document")
    print(
        "us/doc: microseconds per document; ratio: raw engines' time / Tagdesk's (aims: import >= 0.5, export >= 0.7)"
    )
    header = (
        f"{'format':12}{'docs':>7} | {'import':>8}{'raw':>8}{'ratio':>7} | {'export':>8}{'raw':>8}{'ratio':>7} | rows"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        empty_db = _empty_database(tmp)
        for fmt in formats:
            for n in sizes:
                r = run_one(fmt, n, docs, tmp, empty_db, args.repeat)
                imp = _cells(r["import"], r["raw_import"], n)
                exp = _cells(r["export"], r["raw_export"], n) if r["export"] < float("inf") else f"{'-':>23}"
                rows = "same" if r["same_rows"] else f"DIFFER (tagdesk {r['rows']})"
                print(f"{fmt:12}{n:7,} | {imp} | {exp} | {rows}", flush=True)
        if args.large:
            print("\npeak memory importing 30,000 documents (max RSS of a fresh process, spaCy imported on both sides)")
            for fmt in formats:
                size, mine, theirs = peak_memory(fmt, docs[:30_000], tmp, empty_db)
                print(f"{fmt:12} file {size:7.0f} MB: tagdesk {mine:6.0f} MB, raw engines {theirs:6.0f} MB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
