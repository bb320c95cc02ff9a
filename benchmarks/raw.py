"""The raw engines the format benchmark compares Tagdesk with: for each format the simplest correct reader
(`json.loads` per line, `json.load`, `csv`, reading lines, `DocBin.from_bytes`, splitting lines for brat and the
column formats) and writer (the standard library; a direct `DocBin` for `.spacy`), and `sqlite3.executemany` of
the same rows Tagdesk writes (the import run, documents with their tokens and search-index rows, annotations,
spans, events), in one commit (Tagdesk commits every half second, so that others may write meanwhile).

Nothing here checks what Tagdesk checks (UTF-8 errors with their line, spans against the text, labels against
the project, duplicates against the database): that work is what the ratio measures.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
from array import array
from datetime import UTC, datetime
from pathlib import Path

ANSWERS = {"accept": "accepted", "reject": "rejected", "ignore": "ignored"}
STATUS_ANSWER = {v: k for k, v in ANSWERS.items()}

# text, meta (a dict), tokens as flat (start, end, ...) offsets or None, status or None, spans [(s, e, label)]
Row = tuple[str, dict, list[int] | None, str | None, list[tuple[int, int, str]]]


def pack(flat: list[int], length: int) -> bytes:
    numbers = array("H" if length < 65536 else "I", flat)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def unpack(blob: bytes, length: int) -> array:
    numbers = array("H" if length < 65536 else "I")
    numbers.frombytes(blob)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


# ---------------------------------------------------------------------------------------------- readers


def read_jsonl(path: Path) -> list[Row]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            toks = obj.get("tokens")
            flat = [x for t in toks for x in (t["start"], t["end"])] if toks else None
            spans = [(s["start"], s["end"], s["label"]) for s in obj.get("spans", ())]
            meta = {k: v for k, v in obj.items() if k not in ("text", "tokens", "spans", "answer")}
            out.append((obj["text"], meta, flat, ANSWERS.get(obj.get("answer")), spans))
    return out


def read_doccano(path: Path) -> list[Row]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            meta = {k: v for k, v in obj.items() if k not in ("text", "label")}
            out.append((obj["text"], meta, None, "accepted", [tuple(x) for x in obj["label"]]))
    return out


def read_labelstudio(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as fh:
        tasks = json.load(fh)
    out = []
    for task in tasks:
        ann = task["annotations"][0]
        spans = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in ann["result"]]
        meta = {k: v for k, v in task.items() if k not in ("data", "annotations")}
        out.append((task["data"]["text"], meta, None, "accepted", spans))
    return out


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row.pop("text"), row, None, None, []) for row in csv.DictReader(fh)]


def read_text(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as fh:
        return [(line.rstrip("\n"), {"file": path.name}, None, None, []) for line in fh]


def read_columns(path: Path) -> list[Row]:
    """-DOCSTART- between documents, a blank line between sentences (joined with a line break), tokens joined by
    one space; entities from IOB2 or BILUO tags."""
    docs: list[list[list[tuple[str, str]]]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                docs.append([[]])
            elif not line:
                if docs and docs[-1][-1]:
                    docs[-1].append([])
            else:
                cols = line.split()
                docs[-1][-1].append((cols[0], cols[-1]))
    out = []
    for sentences in docs:
        parts, flat, spans = [], [], []
        pos, start, end, label = 0, -1, 0, ""
        for sent in (s for s in sentences if s):
            if parts:
                parts.append("\n")
                flat += [pos, pos + 1]
                pos += 1
            for k, (word, tag) in enumerate(sent):
                if k:
                    parts.append(" ")
                    pos += 1
                if start >= 0 and tag[0] in "BUO":
                    spans.append((start, end, label))
                    start = -1
                if tag[0] in "BU":
                    start, label = pos, tag[2:]
                parts.append(word)
                flat += [pos, pos + len(word)]
                pos += len(word)
                end = pos
        if start >= 0:
            spans.append((start, end, label))
        out.append(("".join(parts), {}, flat, "accepted", spans))
    return out


def read_spacy(path: Path) -> list[Row]:
    from spacy.attrs import IDX, LENGTH
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    out = []
    for doc in DocBin().from_bytes(path.read_bytes()).get_docs(Vocab()):
        arr = doc.to_array([IDX, LENGTH])
        arr[:, 1] += arr[:, 0]
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        out.append((doc.text, {}, arr.ravel().tolist(), "accepted", spans))
    return out


def read_brat(path: Path) -> list[Row]:
    out = []
    for txt in sorted(path.glob("*.txt")):
        text = txt.read_text(encoding="utf-8")
        spans = []
        for line in txt.with_suffix(".ann").read_text(encoding="utf-8").split("\n"):
            if line.startswith("T"):
                label, start, end = line.split("\t")[1].split(" ")
                spans.append((int(start), int(end), label))
        out.append((text, {"file": txt.stem}, None, "accepted", spans))
    return out


READERS = {
    "jsonl": read_jsonl,
    "doccano": read_doccano,
    "labelstudio": read_labelstudio,
    "csv": read_csv,
    "text": read_text,
    "conll": read_columns,
    "iob": read_columns,
    "biluo": read_columns,
    "spacy": read_spacy,
    "brat": read_brat,
}


# ---------------------------------------------------------------------------------------------- storing


def store(db: Path, rows: list[Row], source: str, *, annotator: str = "bench") -> None:
    """executemany of the rows Tagdesk writes for `rows` into a database with Tagdesk's schema, one commit: the
    import run, documents (tagged with it), annotations, spans, one import event per annotated document, and the
    event that publishes the run. Like Tagdesk's import on SQLite it leaves the search index to be filled later."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    now = datetime.now(UTC).isoformat(sep=" ")
    docs, anns, spans, evs = [], [], [], []
    for i, (text, meta, flat, status, doc_spans) in enumerate(rows, start=1):
        blob = pack(flat, len(text)) if flat is not None else None
        h = hashlib.sha256(text.encode("utf-8")).hexdigest()
        docs.append((i, text, h, json.dumps(meta, ensure_ascii=False), source, i - 1, blob, 1, len(text)))
        if status is None:
            continue
        anns.append((i, i, annotator, status, 0.0, now, 1))
        spans.extend((i, s, e, label, "import", None) for s, e, label in doc_spans)
        payload = {
            "version": 1,
            "status": status,
            "spans": [[s, e, label, "import", None] for s, e, label in doc_spans],
            "source": source,
            "import_id": 1,
        }
        evs.append((now, annotator, i, "import", json.dumps(payload, ensure_ascii=False)))
    published = {"source": source, "added": len(docs), "duplicates": 0, "import_id": 1}
    evs.append((now, annotator, None, "import_published", json.dumps(published)))
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "INSERT INTO import_run (id, source, annotator, started_at, heartbeat_at, published_at, running, host, pid) "
        "VALUES (1, ?, ?, ?, ?, NULL, 1, '', 0)",
        (source, annotator, now, now),
    )
    con.executemany(
        "INSERT INTO document (id, text, text_hash, meta, source, position, tokens, import_id, length) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        docs,
    )
    con.executemany(
        "INSERT INTO annotation (id, document_id, annotator, status, seconds_spent, updated_at, version) "
        "VALUES (?,?,?,?,?,?,?)",
        anns,
    )
    con.executemany('INSERT INTO span (annotation_id, start, "end", label, origin, score) VALUES (?,?,?,?,?,?)', spans)
    con.executemany("INSERT INTO event (at, annotator, document_id, action, payload) VALUES (?,?,?,?,?)", evs)
    con.execute("UPDATE import_run SET running = NULL, published_at = ? WHERE id = 1", (now,))
    con.execute("COMMIT")
    con.close()


# ---------------------------------------------------------------------------------------------- exporting

# text, meta, status, tokens (flat) or None, spans
Exported = tuple[str, dict, str, "array | None", list[tuple[int, int, str]]]


def load(db: Path, annotator: str) -> list[Exported]:
    """A project's accepted documents with their spans and tokens, in project order, by plain SQL."""
    con = sqlite3.connect(db)
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for ann_id, start, end, label in con.execute(
        'SELECT annotation_id, start, "end", label FROM span ORDER BY annotation_id, start'
    ):
        spans.setdefault(ann_id, []).append((start, end, label))
    out = []
    for text, meta, status, blob, ann_id in con.execute(
        "SELECT d.text, d.meta, a.status, d.tokens, a.id FROM document d JOIN annotation a ON a.document_id = d.id "
        "WHERE a.annotator = ? AND a.status = 'accepted' ORDER BY d.position",
        (annotator,),
    ):
        flat = unpack(blob, len(text)) if blob is not None else None
        out.append((text, json.loads(meta), status, flat, spans.get(ann_id, [])))
    con.close()
    return out


def _pairs(flat) -> list[tuple[int, int]]:
    return list(zip(flat[0::2], flat[1::2], strict=True))


def write_jsonl(docs: list[Exported], out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for text, meta, status, flat, spans in docs:
            toks = _pairs(flat)
            starts = {s: k for k, (s, _e) in enumerate(toks)}
            ends = {e: k for k, (_s, e) in enumerate(toks)}
            task = {
                "text": text,
                "meta": meta,
                "tokens": [
                    {"text": text[s:e], "start": s, "end": e, "id": k, "ws": text[e : e + 1] == " "}
                    for k, (s, e) in enumerate(toks)
                ],
                "spans": [
                    {"start": s, "end": e, "label": lab, "token_start": starts[s], "token_end": ends[e]}
                    for s, e, lab in spans
                ],
                "answer": STATUS_ANSWER[status],
            }
            fh.write(json.dumps(task, ensure_ascii=False) + "\n")


def write_doccano(docs: list[Exported], out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for text, meta, _status, _flat, spans in docs:
            fh.write(json.dumps({"text": text, "label": [list(s) for s in spans], "meta": meta}, ensure_ascii=False))
            fh.write("\n")


def write_labelstudio(docs: list[Exported], out: Path) -> None:
    tasks = []
    for i, (text, meta, _status, _flat, spans) in enumerate(docs, start=1):
        result = [
            {
                "id": f"t{i}s{k}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": s, "end": e, "text": text[s:e], "labels": [lab]},
            }
            for k, (s, e, lab) in enumerate(spans)
        ]
        tasks.append({"id": i, "data": {"text": text}, "meta": meta, "annotations": [{"result": result}]})
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")


def _write_columns(docs: list[Exported], out: Path, scheme: str, line) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for text, _meta, _status, flat, spans in docs:
            toks = _pairs(flat)
            tags = ["O"] * len(toks)
            starts = {s: k for k, (s, _e) in enumerate(toks)}
            ends = {e: k for k, (_s, e) in enumerate(toks)}
            for s, e, lab in spans:
                a, b = starts[s], ends[e]
                for k in range(a, b + 1):
                    tags[k] = f"I-{lab}"
                tags[a] = f"B-{lab}"
                if scheme == "biluo":
                    tags[b] = f"L-{lab}" if a != b else f"U-{lab}"
            lines = ["-DOCSTART- -X- O O", ""]
            for (s, e), tag in zip(toks, tags, strict=True):
                word = text[s:e]
                lines.append("" if word.isspace() else line(word, tag))
            fh.write("\n".join(lines) + "\n\n")


def write_conll(docs: list[Exported], out: Path) -> None:
    _write_columns(docs, out, "iob", lambda w, t: f"{w} _ _ {t}")


def write_iob(docs: list[Exported], out: Path) -> None:
    _write_columns(docs, out, "iob", lambda w, t: f"{w}\t{t}")


def write_biluo(docs: list[Exported], out: Path) -> None:
    _write_columns(docs, out, "biluo", lambda w, t: f"{w}\t{t}")


def write_spacy(docs: list[Exported], out: Path) -> None:
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    db = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    for text, meta, status, flat, spans in docs:
        toks = _pairs(flat)
        words = [text[s:e] for s, e in toks]
        spaces = [
            text[e : e + 1] == " " and (k + 1 == len(toks) or toks[k + 1][0] > e) for k, (_s, e) in enumerate(toks)
        ]
        doc = Doc(vocab, words=words, spaces=spaces)
        doc.set_ents([doc.char_span(s, e, label=lab) for s, e, lab in spans], default="outside")
        doc.user_data["tagdesk"] = {"status": status, "meta": meta}
        db.add(doc)
    out.write_bytes(db.to_bytes())


def write_brat(docs: list[Exported], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i, (text, _meta, _status, _flat, spans) in enumerate(docs):
        (out / f"doc-{i:06d}.txt").write_text(text, encoding="utf-8")
        lines = [f"T{k}\t{lab} {s} {e}\t{text[s:e]}" for k, (s, e, lab) in enumerate(spans, start=1)]
        (out / f"doc-{i:06d}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


WRITERS = {
    "jsonl": write_jsonl,
    "doccano": write_doccano,
    "labelstudio": write_labelstudio,
    "conll": write_conll,
    "iob": write_iob,
    "biluo": write_biluo,
    "spacy": write_spacy,
    "brat": write_brat,
}
