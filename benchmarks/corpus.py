"""Annotated corpora for the format benchmark, generated here (no data from outside the repository).

`documents(n)` makes news-like articles of ~3 KB (~520 tokens, ~10 entities, a few paragraphs, some accented
letters and an occasional emoji) with their tokens and token-aligned entities. `write(fmt, docs, path)` writes
them the way the other tools' exports look: Prodigy tasks with tokens and hashes, doccano records with ids,
Label Studio 1.x task exports with their bookkeeping keys, brat folders, CoNLL-2003 / IOB / BILUO columns, a
foreign spaCy DocBin, CSV and plain text lines. These writers are independent of Tagdesk's own.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

LABELS = ["PERSON", "ORG", "GPE", "DATE"]
NAMES = {
    "PERSON": ["Li Qiang", "Vladimir Putin", "Ada Lovelace", "Zoë Martin", "Ahmed Ali", "Grace Hopper", "José Núñez"],
    "ORG": ["the Kremlin", "Acme Corp", "Google", "the United Nations", "IBM", "Siemens AG", "Banco do Brasil"],
    "GPE": ["Beijing", "Moscow", "Paris", "Tel Aviv", "New York", "Oslo", "São Paulo", "Zürich"],
    "DATE": ["Wednesday", "last year", "March 2024", "the 1990s", "today"],
}
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "if",
    "so",
    "no",
    "what",
    "up",
    "out",
    "who",
    "them",
    "some",
    "could",
    "more",
    "its",
    "into",
    "than",
    "only",
    "other",
    "new",
    "time",
    "people",
    "market",
    "prices",
    "energy",
    "trade",
    "talks",
    "ministers",
    "agreement",
    "report",
    "officials",
    "economy",
    "growth",
    "workers",
    "company",
    "shares",
    "analysts",
    "government",
    "policy",
    "minister",
    "said",
    "told",
    "reporters",
    "week",
    "months",
    "plans",
    "support",
    "funding",
    "rules",
    "deal",
    "supply",
    "chains",
    "weather",
    "cities",
]
PUNCT = [",", ",", ".", ";", ":", "?"]
EMOJI = ["😀", "🚀", "👍🏽", "🇫🇷"]


@dataclass
class Doc:
    text: str
    tokens: list[tuple[int, int]]  # (start, end) of every token, code points
    spaces: list[bool]  # token followed by one space
    spans: list[tuple[int, int, str]]
    sentences: list[tuple[int, int]]  # token index ranges [a, b) of each sentence


def documents(n: int, seed: int = 7, target_chars: int = 3000) -> list[Doc]:
    rnd = random.Random(seed)
    return [_document(rnd, i, target_chars) for i in range(n)]


def _document(rnd: random.Random, i: int, target: int) -> Doc:
    words: list[str] = []  # tokens
    gaps: list[str] = []  # what follows each token: "", " " or "\n\n"
    ents: list[tuple[int, int, str]] = []  # token ranges
    sentences: list[tuple[int, int]] = []

    def add(word: str, gap: str = " ") -> None:
        words.append(word)
        gaps.append(gap)

    while sum(map(len, words)) + len(words) < target:
        first = len(words)
        k = rnd.randint(6, 30)
        for j in range(k):
            if j < k - 3 and rnd.random() < 0.022:
                label = rnd.choice(LABELS)
                parts = rnd.choice(NAMES[label]).split()
                ents.append((len(words), len(words) + len(parts), label))
                for p in parts:
                    add(p)
            else:
                w = rnd.choice(WORDS)
                add(w.capitalize() if j == 0 else w)
            if rnd.random() < 0.06:
                gaps[-1] = ""
                add(rnd.choice(PUNCT[:2]))
            if rnd.random() < 0.004:
                add(rnd.choice(EMOJI))
        gaps[-1] = ""
        add(rnd.choice(PUNCT[2:]) if rnd.random() < 0.2 else ".", "\n\n" if rnd.random() < 0.2 else " ")
        sentences.append((first, len(words)))
    words.append(f"({i})")
    gaps.append("")
    sentences[-1] = (sentences[-1][0], len(words))
    text_parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    pos = 0
    for w, g in zip(words, gaps, strict=True):
        tokens.append((pos, pos + len(w)))
        text_parts.append(w + g)
        pos += len(w) + len(g)
    text = "".join(text_parts)
    spans = [(tokens[a][0], tokens[b - 1][1], label) for a, b, label in ents]
    return Doc(text, tokens, [g == " " for g in gaps], spans, sentences)


# ---------------------------------------------------------------------------------------------- writers


def write(fmt: str, docs: list[Doc], path: Path) -> Path:
    """Write `docs` as `fmt` at `path` (a folder for brat); returns the path to import."""
    writer = {
        "jsonl": _prodigy,
        "doccano": _doccano,
        "labelstudio": _labelstudio,
        "csv": _csv,
        "text": _text,
        "conll": _conll,
        "iob": _iob,
        "biluo": _biluo,
        "spacy": _docbin,
        "brat": _brat,
    }[fmt]
    writer(docs, path)
    return path


def _prodigy(docs: list[Doc], path: Path) -> None:
    from murmurhash import hash as murmur

    with path.open("w", encoding="utf-8") as fh:
        for i, d in enumerate(docs):
            toks = [
                {"text": d.text[s:e], "start": s, "end": e, "id": k, "ws": ws}
                for k, ((s, e), ws) in enumerate(zip(d.tokens, d.spaces, strict=True))
            ]
            starts = {s: k for k, (s, _e) in enumerate(d.tokens)}
            ends = {e: k for k, (_s, e) in enumerate(d.tokens)}
            spans = [
                {"start": s, "end": e, "token_start": starts[s], "token_end": ends[e], "label": lab}
                for s, e, lab in d.spans
            ]
            ih = murmur(json.dumps({"text": d.text}, sort_keys=True))
            task = {
                "text": d.text,
                "meta": {"source": "bench", "n": i},
                "_input_hash": ih,
                "_task_hash": murmur(str(ih) + json.dumps({"spans": spans}, sort_keys=True)),
                "tokens": toks,
                "spans": spans,
                "_session_id": None,
                "_view_id": "ner_manual",
                "answer": "accept",
            }
            fh.write(json.dumps(task, ensure_ascii=False) + "\n")


def _doccano(docs: list[Doc], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, d in enumerate(docs):
            rec = {"id": 1000 + i, "text": d.text, "label": [[s, e, lab] for s, e, lab in d.spans], "Comments": []}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _labelstudio(docs: list[Doc], path: Path) -> None:
    rnd = random.Random(3)
    tasks = []
    for i, d in enumerate(docs, start=1):
        result = [
            {
                "value": {"start": s, "end": e, "text": d.text[s:e], "labels": [lab]},
                "id": "".join(rnd.choice("abcdefghijkLMNOPQ0123456789") for _ in range(10)),
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
            }
            for s, e, lab in d.spans
        ]
        stamp = f"2025-01-25T05:{i % 60:02d}:37.253165Z"
        tasks.append(
            {
                "id": i,
                "annotations": [
                    {
                        "id": i,
                        "completed_by": 1,
                        "result": result,
                        "was_cancelled": False,
                        "ground_truth": False,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "lead_time": 49.73,
                        "prediction": {},
                        "result_count": len(result),
                        "task": i,
                        "project": 1,
                    }
                ],
                "drafts": [],
                "predictions": [],
                "data": {"text": d.text},
                "meta": {},
                "created_at": stamp,
                "updated_at": stamp,
                "inner_id": i,
                "total_annotations": 1,
                "cancelled_annotations": 0,
                "project": 1,
            }
        )
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")


def _csv(docs: list[Doc], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "source"])
        for i, d in enumerate(docs):
            w.writerow([i, d.text, "bench"])


def _text(docs: list[Doc], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(d.text.replace("\n", " ") + "\n")


def _tags(d: Doc, scheme: str) -> list[str]:
    tags = ["O"] * len(d.tokens)
    starts = {s: k for k, (s, _e) in enumerate(d.tokens)}
    ends = {e: k for k, (_s, e) in enumerate(d.tokens)}
    for s, e, lab in d.spans:
        a, b = starts[s], ends[e]
        if scheme == "biluo" and a == b:
            tags[a] = f"U-{lab}"
            continue
        for k in range(a, b + 1):
            tags[k] = f"I-{lab}"
        tags[a] = f"B-{lab}"
        if scheme == "biluo":
            tags[b] = f"L-{lab}"
    return tags


def _columns(docs: list[Doc], path: Path, scheme: str, line) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            tags = _tags(d, scheme)
            out = ["-DOCSTART- -X- O O", ""]
            for a, b in d.sentences:
                out.extend(line(d.text[s:e], tag) for (s, e), tag in zip(d.tokens[a:b], tags[a:b], strict=True))
                out.append("")
            fh.write("\n".join(out) + "\n")


def _conll(docs: list[Doc], path: Path) -> None:
    _columns(docs, path, "iob", lambda w, t: f"{w} _ _ {t}")


def _iob(docs: list[Doc], path: Path) -> None:
    _columns(docs, path, "iob", lambda w, t: f"{w}\t{t}")


def _biluo(docs: list[Doc], path: Path) -> None:
    _columns(docs, path, "biluo", lambda w, t: f"{w}\t{t}")


def _docbin(docs: list[Doc], path: Path) -> None:
    from spacy.tokens import Doc as SpacyDoc
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    db = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"])
    for d in docs:
        words, spaces = [], []
        for k, (s, e) in enumerate(d.tokens):
            words.append(d.text[s:e])
            nxt = d.tokens[k + 1][0] if k + 1 < len(d.tokens) else len(d.text)
            gap = d.text[e:nxt]
            spaces.append(gap.startswith(" "))
            if gap and gap != " ":  # a paragraph break: a whitespace token of its own
                words.append(gap[1:] if gap.startswith(" ") else gap)
                spaces.append(False)
        doc = SpacyDoc(vocab, words=words, spaces=spaces)
        doc.set_ents([doc.char_span(s, e, label=lab) for s, e, lab in d.spans], default="outside")
        db.add(doc)
    path.write_bytes(db.to_bytes())


def _brat(docs: list[Doc], path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for i, d in enumerate(docs):
        (path / f"doc{i:06d}.txt").write_text(d.text, encoding="utf-8")
        lines = [f"T{k}\t{lab} {s} {e}\t{d.text[s:e]}" for k, (s, e, lab) in enumerate(d.spans, start=1)]
        (path / f"doc{i:06d}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (path / "annotation.conf").write_text("[entities]\n" + "\n".join(LABELS) + "\n", encoding="utf-8")
