"""Training: `tagdesk train` against spaCy's own `spacy train`, same data, same steps, one run; and a 3 MB document.

1. A project imported from the real drugs set (1,477 accepted Reddit comments, label DRUG), trained from blank
   with `tagdesk train --eval-file drugs_eval.jsonl --no-curve --steps N`; then `spacy init config -p ner`
   (defaults, CPU) and `spacy train` on DocBins of the SAME examples (Tagdesk's own preparation, written out) for
   the same number of steps, evaluated on the same eval file. Both are run as commands (process start, imports and
   reading included) and both final models are scored by one scorer on the same examples. Aim: F >= 0.98 of the
   CLI's, time <= 1.1 of it.
2. A project holding one 3 MB document (drug comments joined by blank lines, their entities moved along): trained
   (cut into pieces at line ends for the NER), with time and peak memory (the training process's max RSS).

The drugs files are read from ../shared/interop beside the checkout; without them one skip line is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTEROP = ROOT.parent / "shared" / "interop" / "prodigy"
TRAIN = INTEROP / "projects__ner_drugs__drugs_training.jsonl"
EVAL = INTEROP / "projects__ner_drugs__drugs_eval.jsonl"
BIN = Path(sys.executable).parent


def _run(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return wall, out


def _project(folder: Path):
    from models.formats import import_file
    from models.project import new_project

    project = new_project(folder, ["DRUG"], annotator="bench")
    import_file(project, TRAIN)
    return project


def _examples(project):
    """Tagdesk's own preparation of the training documents and the eval file (what both sides train on)."""
    import spacy

    from models.store.training import training_documents
    from models.train import data
    from models.train.run import _eval_documents

    with project.session() as s:
        read = training_documents(session=s)
    extra = _eval_documents(project, EVAL)
    return data.prepare(spacy.blank("en"), read.documents, held_out=set(), extra_eval=extra)


def _score(path: Path, prep) -> float:
    import spacy

    from models.train.evaluate import score

    return score(spacy.load(path), prep.eval)["f"]


def against_cli(tmp: Path, steps: int) -> dict:
    from spacy.tokens import DocBin

    project = _project(tmp / "drugs")
    prep = _examples(project)
    print(f"  {len(prep.train)} training examples, {len(prep.eval)} evaluation examples, {steps} steps", flush=True)
    for name, egs in (("train", prep.train), ("dev", prep.eval)):
        DocBin(docs=[eg.reference for eg in egs], store_user_data=False).to_disk(tmp / f"{name}.spacy")
    project.close()
    results = {}
    order = ["tagdesk", "cli"]
    for side in order:
        if side == "tagdesk":
            wall, out = _run(
                [
                    str(BIN / "tagdesk"),
                    "train",
                    str(tmp / "drugs"),
                    "--eval-file",
                    str(EVAL),
                    "--no-curve",
                    "--steps",
                    str(steps),
                    "--eval-every",
                    "200",
                    "--json",
                    "--quiet",
                ]
            )
            meta = json.loads(out.stdout)
            path = tmp / "drugs" / "pipelines" / f"{meta['number']:03d}"
            results[side] = {"seconds": wall, "f": _score(path, prep), "own_f": meta["scores"]["f"]}
        else:
            cfg = tmp / "config.cfg"
            _run(
                [
                    sys.executable,
                    "-m",
                    "spacy",
                    "init",
                    "config",
                    str(cfg),
                    "--lang",
                    "en",
                    "--pipeline",
                    "ner",
                    "--force",
                ]
            )
            wall, _out = _run(
                [
                    sys.executable,
                    "-m",
                    "spacy",
                    "train",
                    str(cfg),
                    "--paths.train",
                    str(tmp / "train.spacy"),
                    "--paths.dev",
                    str(tmp / "dev.spacy"),
                    "--training.max_steps",
                    str(steps),
                    "--output",
                    str(tmp / "cli"),
                ]
            )
            best = json.loads((tmp / "cli" / "model-best" / "meta.json").read_text())
            results[side] = {
                "seconds": wall,
                "f": _score(tmp / "cli" / "model-best", prep),
                "own_f": best["performance"]["ents_f"],
            }
        print(f"  {side}: F {results[side]['f']:.3f} in {results[side]['seconds']:.1f} s", flush=True)
    return results


def long_document(tmp: Path, steps: int, size: int) -> dict:
    from models import store
    from models.project import new_project

    texts, spans = [], []
    at = 0
    with TRAIN.open(encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh if line.strip()]
    k = 0
    while at < size:
        rec = lines[k % len(lines)]
        k += 1
        for sp in rec.get("spans") or []:
            spans.append((at + sp["start"], at + sp["end"], sp["label"]))
        texts.append(rec["text"])
        at += len(rec["text"]) + 2
    text = "\n\n".join(texts)
    project = new_project(tmp / "long", ["DRUG"], annotator="bench")
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=text, spans=spans, status="accepted")], session=s)
    project.close()
    code = (
        "import resource, sys, time, json\n"
        "from models.project import open_project\n"
        "from models.train import TrainOptions, train_project\n"
        "t = time.perf_counter()\n"
        f"p = open_project({str(tmp / 'long')!r})\n"
        f"r = train_project(p, TrainOptions(eval_file={str(EVAL)!r}, curve=False, max_steps={steps}, "
        "eval_frequency=100))\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'f': r.scores['f'], "
        "'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
        "'pieces': r.version.meta['documents']}))\n"
    )
    _wall, out = _run([sys.executable, "-c", code], cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update({"chars": len(text), "entities": len(spans)})
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_train", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=400, help="training steps for both sides (default 400)")
    parser.add_argument("--long-steps", type=int, default=100, help="steps for the 3 MB document")
    parser.add_argument("--size", type=int, default=3_000_000, help="characters of the long document")
    args = parser.parse_args([] if argv is None else argv)
    if not (TRAIN.exists() and EVAL.exists()):
        print(f"skipped: the drugs set is not in {INTEROP}")
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp:
        print("1. against spacy train (same DocBins, same steps):", flush=True)
        r = against_cli(Path(tmp), args.steps)
        t, c = r["tagdesk"], r["cli"]
        print(
            f"  F: tagdesk {t['f']:.3f} / spacy train {c['f']:.3f} = {t['f'] / max(c['f'], 1e-9):.3f} (aim >= 0.98); "
            f"time: {t['seconds']:.1f} s / {c['seconds']:.1f} s = {t['seconds'] / c['seconds']:.2f} (aim <= 1.1)"
        )
        print(f"  (each side's own report of its best F: tagdesk {t['own_f']:.3f}, spacy {c['own_f']:.3f})")
        print(f"2. one {args.size / 1e6:.0f} MB document:", flush=True)
        long = long_document(Path(tmp), args.long_steps, args.size)
        print(
            f"  {long['chars']:,} characters, {long['entities']:,} entities: trained {args.long_steps} steps in "
            f"{long['seconds']:.1f} s, peak memory {long['rss_mb']:.0f} MB, F {long['f']:.3f} on the eval file"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
