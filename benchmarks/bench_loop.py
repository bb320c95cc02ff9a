"""The loop's value: a simulated annotator on a gold-annotated corpus (the drugs set), edits per document over time.

The annotator takes documents in order (or most uncertain first), sees the suggestions of the model in use, and
makes the fewest edits that turn them into the gold annotation: accept the document (one key), and per entity
delete, relabel, resize or add. Every BLOCK documents the project retrains (`train_project`, then the new model
suggests). Four annotators, each on a fresh project holding the same documents:
  none       no model: every entity is added by hand
  fixed      one model trained after the first block, never retrained
  loop       retrained every block, documents in project order
  uncertain  retrained every block, the next block chosen most uncertain first (`models.queue`)
All through the real stack: the store, `suggest_documents` (with scores for "uncertain"), `set_status`, training.
Default: the first 200 documents, blocks of 50, 200 training steps; `--full`: every document, 1,000 steps.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "interop" / "prodigy" / "projects__ner_drugs__drugs_training.jsonl"
STRATEGIES = ("none", "fixed", "loop", "uncertain")

Span = tuple[int, int, str]


def edits(suggested: list[Span], gold: list[Span]) -> Counter:
    """The fewest edits turning `suggested` into `gold` (spans do not overlap within either list)."""
    out: Counter = Counter()
    left = set(gold)
    for s in suggested:
        if s in left:
            left.discard(s)
            continue
        hit = next((g for g in sorted(left) if g[0] < s[1] and s[0] < g[1]), None)
        if hit is None:
            out["delete"] += 1
            continue
        left.discard(hit)
        if (hit[0], hit[1]) == (s[0], s[1]):
            out["relabel"] += 1
        elif hit[2] == s[2]:
            out["resize"] += 1
        else:
            out["relabel"] += 1
            out["resize"] += 1
    out["add"] += len(left)
    out["accept"] += 1
    return out


def _load(limit: int | None) -> list[tuple[str, list[Span]]]:
    out = []
    with TRAIN.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append((rec["text"], [(s["start"], s["end"], s["label"]) for s in rec.get("spans") or []]))
    return out[:limit] if limit else out


def simulate(strategy: str, corpus, folder: Path, block: int, steps: int) -> list[float]:
    from models import store
    from models.project import new_project
    from models.queue import upcoming
    from models.suggest import load_suggester, suggest_documents
    from models.train import TrainOptions, train_project

    project = new_project(folder, ["DRUG"], annotator="sim")
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t, _g in corpus], session=s)
    with project.session() as s:
        ids = store.document_ids(session=s)
    gold = {doc_id: g for doc_id, (_t, g) in zip(ids, corpus, strict=True)}
    suggester = None
    per_block: list[float] = []
    done: list[int] = []
    options = TrainOptions(curve=False, max_steps=steps, eval_frequency=max(50, steps // 4), patience=steps)
    while len(done) < len(ids):
        if strategy == "uncertain" and suggester is not None:
            suggest_documents(project, suggester, scores=True)
            with project.session() as s:
                chunk = upcoming(session=s, annotator="sim", order="uncertain", limit=block, model_key=suggester.key)
        else:
            chunk = [d for d in ids if d not in set(done)][:block]
        if suggester is not None and strategy != "uncertain":
            suggest_documents(project, suggester, document_ids=chunk)
        total: Counter = Counter()
        for doc_id in chunk:
            shown: list[Span] = []
            if suggester is not None:
                with project.session() as s:
                    rows = store.suggestions_for(doc_id, suggester.key, session=s) or []
                shown = [(r["start"], r["end"], r["label"]) for r in rows]
            total.update(edits(shown, gold[doc_id]))
            with project.writing() as s:
                store.set_status(
                    doc_id,
                    "accepted",
                    session=s,
                    annotator="sim",
                    add_spans=[(a, b, lab, "human", None) for a, b, lab in gold[doc_id]],
                )
        done += chunk
        per_block.append(sum(total.values()) / max(1, len(chunk)))
        retrain = strategy in ("loop", "uncertain") or (strategy == "fixed" and suggester is None)
        if strategy != "none" and retrain and len(done) < len(ids):
            train_project(project, options, use=True)
            suggester = load_suggester(project, "model")
        print(f"    {strategy:<9} {len(done):>5} documents: {per_block[-1]:.2f} edits/doc", flush=True)
    project.close()
    return per_block


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_loop", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="every document of the drugs set, 1,000 steps")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--only", default=",".join(STRATEGIES), help="comma-separated strategies")
    args = parser.parse_args([] if argv is None else argv)
    if not TRAIN.exists():
        print(f"skipped: the drugs set is not in {TRAIN.parent}")
        return
    corpus = _load(None if args.full else args.docs)
    steps = 1000 if args.full else args.steps
    print(
        f"{len(corpus)} documents, {sum(len(g) for _t, g in corpus)} gold entities, blocks of {args.block}, "
        f"{steps} steps per training",
        flush=True,
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for strategy in args.only.split(","):
            t = time.perf_counter()
            results[strategy] = simulate(strategy, corpus, Path(tmp) / strategy, args.block, steps)
            print(f"    ({strategy}: {time.perf_counter() - t:.0f} s)", flush=True)
    names = list(results)
    print("edits per document, by block of documents annotated:")
    print(f"  {'block':>7} " + " ".join(f"{n:>10}" for n in names))
    for k in range(max(len(v) for v in results.values())):
        cells = " ".join(f"{results[n][k]:>10.2f}" if k < len(results[n]) else f"{'':>10}" for n in names)
        print(f"  {k + 1:>7} {cells}")
    print("  mean    " + " ".join(f"{sum(results[n]) / len(results[n]):>10.2f}" for n in names))


if __name__ == "__main__":
    main(sys.argv[1:])
