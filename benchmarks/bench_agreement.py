"""Cost of `tagdesk agreement` on a project where two annotators accepted the same documents, against the raw
work it cannot avoid: tokenizing every text once with the same blank spaCy tokenizer.

    python -m benchmarks agreement [--docs 1000]

Prints seconds for each part and the ratio (agreement / tokenizing alone), measured side by side in one run.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

WORDS = [
    "the",
    "minister",
    "said",
    "on",
    "Tuesday",
    "that",
    "talks",
    "with",
    "the",
    "union",
    "would",
    "resume",
    "next",
    "week",
    "in",
    "the",
    "capital",
]
NAMES = ["Li Qiang", "Vladimir Putin", "Angela Merkel", "Acme Corp", "Berlin", "Moscow", "Paris", "Tim Cook"]


def make_text(rng: random.Random, words: int = 500) -> tuple[str, list[tuple[int, int, str]]]:
    """A news-like text of about `words` words with entities, and those entities."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    at = 0
    for k in range(words):
        if k % 23 == 5:
            name = rng.choice(NAMES)
            spans.append((at, at + len(name), "GPE" if " " not in name else "PERSON"))
            piece = name
        else:
            piece = rng.choice(WORDS)
        parts.append(piece)
        at += len(piece) + 1
        if k % 40 == 39:
            parts[-1] += "."
            at += 1
    return " ".join(parts), spans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench_agreement")
    parser.add_argument("--docs", type=int, default=1000)
    args = parser.parse_args(argv or [])

    from models import store
    from models.formats._tokens import blank
    from models.metrics.report import project_agreement
    from models.project import new_project

    rng = random.Random(7)
    docs = [make_text(rng) for _ in range(args.docs)]
    with tempfile.TemporaryDirectory() as tmp:
        project = new_project(Path(tmp) / "p", ["PERSON", "GPE"], annotator="bench")
        with project.writing() as s:
            store.add_documents([store.NewDocument(text=t) for t, _ in docs], session=s)
        with project.writing() as s:
            for doc_id, (_text, spans) in enumerate(docs, start=1):
                for who in ("alice", "bob"):
                    mine = [sp for sp in spans if who == "alice" or rng.random() > 0.1]  # bob misses a tenth
                    store.decide(
                        doc_id, "accepted", session=s, annotator=who, add_spans=[(*sp, "human", None) for sp in mine]
                    )
        nlp = blank("en")
        nlp.tokenizer("warm up")
        t0 = time.perf_counter()
        tokens = sum(1 for text, _ in docs for t in nlp.tokenizer(text) if not t.is_space)
        raw = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = project_agreement(project)
        ours = time.perf_counter() - t0
        project.close()
    print(f"{args.docs} documents x 2 annotators, {tokens} tokens")
    print(f"tokenizing alone:      {raw:6.2f} s")
    print(f"tagdesk agreement:     {ours:6.2f} s  ({ours / raw:.2f}x tokenizing alone)")
    print(f"alpha {report.agreement.alpha:.3f}, exact F1 {report.agreement.total('exact').f1:.3f}")


if __name__ == "__main__":
    main()
