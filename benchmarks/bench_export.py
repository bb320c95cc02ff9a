"""Exporting 10,000 annotated documents to `spacy`, as a ratio against building the same DocBin directly with spaCy.

The baseline is spaCy's own way (`doc.user_data` + `DocBin(store_user_data=True)`); a second baseline without
user data (tokens and entities only, as a hand-written training script would do) is reported too.
Both sides start from a fresh `spacy.blank("en")` (so neither gets a warm tokenizer cache), tokenize each text,
set its entities with `Doc.char_span` + `Doc.set_ents`, add it to a DocBin with the same attributes and user data,
and write the bytes to a file. Times are CPU seconds of this process (other work shares the cores). The baseline
holds texts and spans in Python lists; Tagdesk reads them from the project database, checks token alignment and
writes through its format registry. The two files must be equal.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

N = 10_000
PEOPLE = ["Li Qiang", "Vladimir Putin", "Ada Lovelace", "Zoe\u0301 Martin", "Ahmed Ali", "Grace Hopper"]
ORGS = ["the Kremlin", "Acme Corp", "Google", "the United Nations", "IBM"]
PLACES = ["Beijing", "Moscow", "Paris", "Tel Aviv", "New York", "Oslo"]
FILLER = [
    "met",
    "at",
    "on",
    "Wednesday",
    "to",
    "discuss",
    "trade",
    "energy",
    "and",
    "the",
    "economy",
    "while",
    "ministers",
    "signed",
    "agreements",
    "about",
    "prices,",
    "supply",
    "chains",
    "and",
    "the",
    "weather.",
] + [""]


def make_documents(n: int = N, seed: int = 7):
    """(text, spans) pairs: ~120 words and ~12 entities each, on token boundaries."""
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        parts, spans, pos = [], [], 0
        for _ in range(12):
            filler = " ".join(rnd.choice(FILLER) or "and" for _ in range(rnd.randint(5, 12)))
            label, names = rnd.choice([("PERSON", PEOPLE), ("ORG", ORGS), ("GPE", PLACES)])
            name = rnd.choice(names)
            chunk = f"{filler} {name} "
            start = pos + len(filler) + 1
            spans.append((start, start + len(name), label))
            parts.append(chunk)
            pos += len(chunk)
        docs.append(("".join(parts) + f"Item {i}.", spans))
    return docs


def baseline(docs, out: Path, user_data: bool = True) -> float:
    import spacy
    from spacy.tokens import DocBin

    from models.formats.spacy import ATTRS, KEY

    t0 = time.process_time()
    nlp = spacy.blank("en")
    db = DocBin(attrs=ATTRS, store_user_data=user_data)
    for text, spans in docs:
        doc = nlp.make_doc(text)
        doc.set_ents([doc.char_span(s, e, label=label) for s, e, label in spans], default="outside")
        if user_data:
            doc.user_data[KEY] = {"status": "accepted", "meta": {}}
        db.add(doc)
    out.write_bytes(db.to_bytes())
    return time.process_time() - t0


def tagdesk(project, out: Path) -> float:
    from models.formats import get_format
    from models.formats._export import export_project
    from models.formats._tokens import blank

    blank.cache_clear()
    t0 = time.process_time()
    export_project(project, get_format("spacy"), out)
    return time.process_time() - t0


def main() -> None:
    import spacy  # noqa: F401  (import time is not part of either side)

    from models.project import new_project
    from models.store import NewDocument, add_documents

    docs = make_documents()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with new_project(tmp / "p", ["PERSON", "ORG", "GPE"], annotator="ann") as project:
            with project.writing() as session:
                add_documents(
                    [NewDocument(t, {}, spans=s, status="accepted") for t, s in docs], session=session, annotator="ann"
                )
            runs, bare = [], []
            for _ in range(3):
                b = baseline(docs, tmp / "direct.spacy")
                t = tagdesk(project, tmp / "tagdesk.spacy")
                bare.append(baseline(docs, tmp / "bare.spacy", user_data=False))
                runs.append((b, t))
            same = (tmp / "direct.spacy").read_bytes() == (tmp / "tagdesk.spacy").read_bytes()
        best_b, best_t = min(r[0] for r in runs), min(r[1] for r in runs)
        words = sum(len(t.split()) for t, _ in docs)
        ents = sum(len(s) for _, s in docs)
        print(f"{N} documents, {words / N:.0f} words and {ents / N:.0f} entities each; files identical: {same}")
        for k, (b, t) in enumerate(runs, 1):
            print(f"  run {k}: direct DocBin {b:.2f} s, tagdesk export {t:.2f} s (CPU), ratio {b / t:.2f}")
        print(
            f"direct DocBin: {N / best_b:,.0f} docs/s; tagdesk export: {N / best_t:,.0f} docs/s; "
            f"ratio (best runs) {best_b / best_t:.2f} (aim >= 0.7)"
        )
        print(
            f"direct DocBin without user data (no status/meta): {N / min(bare):,.0f} docs/s; "
            f"ratio {min(bare) / best_t:.2f}"
        )


if __name__ == "__main__":
    main()
