"""The cost of confidence: milliseconds per document for suggestions without and with each entity's probability.

Three sides on the same news-length articles (the seed article varied, as in bench_suggest), same process, in
alternating rounds: plain `nlp.pipe` (the raw engine), Tagdesk's `suggest_documents` (greedy entities only), and
`suggest_documents(scores=True)` (greedy entities plus spaCy's beam search, sentence by sentence). The ratio of the
last two is what choosing "scores everywhere" costs; it decided where scores are computed (see
models/suggest/confidence.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_suggest import LABELS, PIPELINE, make_texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_confidence", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args([] if argv is None else argv)
    import spacy

    from models.db.tables import Suggestion
    from models.project import new_project
    from models.store import NewDocument, add_documents, document_ids
    from models.suggest import load_suggester, suggest_documents

    texts = make_texts(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        project = new_project(Path(tmp) / "p", LABELS, annotator="bench", pipeline=PIPELINE)
        with project.writing() as s:
            add_documents([NewDocument(text=t) for t in texts], session=s)
        with project.session() as s:
            ids = document_ids(session=s)
        suggester = load_suggester(project)
        plain = spacy.load(
            PIPELINE, exclude=[n for n in spacy.load(PIPELINE).pipe_names if n not in suggester.nlp.pipe_names]
        )
        per = -(-len(ids) // args.rounds)
        spent = {"plain": 0.0, "greedy": 0.0, "scores": 0.0}

        def clear() -> None:
            from sqlalchemy import delete

            with project.writing() as s:
                s.connection().execute(delete(Suggestion))
                s.commit()

        for r in range(args.rounds):
            part, part_texts = ids[r * per : (r + 1) * per], texts[r * per : (r + 1) * per]
            sides = {
                "plain": lambda: [d.ents for d in plain.pipe(part_texts, batch_size=64)],
                "greedy": lambda: suggest_documents(project, suggester, document_ids=part),
                "scores": lambda: suggest_documents(project, suggester, document_ids=part, scores=True),
            }
            order = ["plain", "greedy", "scores"] if r % 2 == 0 else ["scores", "greedy", "plain"]
            for side in order:
                clear()
                t = time.process_time()
                sides[side]()
                spent[side] += time.process_time() - t
            print(
                f"  round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()), flush=True
            )
        project.close()
    n = len(ids)
    ms = {k: v / n * 1000 for k, v in spent.items()}
    words = sum(len(t.split()) for t in texts) / n
    print(f"{n} articles of ~{words:.0f} words, {PIPELINE} (ner only), CPU time per document:")
    print(f"  plain nlp.pipe        {ms['plain']:7.1f} ms")
    print(f"  suggestions           {ms['greedy']:7.1f} ms  ({ms['greedy'] / ms['plain']:.2f}x plain)")
    print(f"  with confidence       {ms['scores']:7.1f} ms  ({ms['scores'] / ms['greedy']:.2f}x suggestions)")


if __name__ == "__main__":
    main(sys.argv[1:])
