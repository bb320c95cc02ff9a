"""Label Studio JSON: a JSON array of tasks `{"data": {"text": ...}, "annotations": [{"result": [...]}]}`, each
span a result `{"type": "labels", "from_name": "label", "to_name": "text", "value": {start, end, text, labels}}`.

Status: an accepted document is a finished annotation, an ignored or rejected one a cancelled annotation
(`was_cancelled`, read back as ignored: Label Studio has no "rejected"), a pending one with spans a prediction.
Reads 1.x exports (array), single tasks, 0.x `completions`, and `predictions` (read as pending, when a task has no
annotation). Relation and other non-span results are skipped and counted.

Annotators: each annotation of a task is its `completed_by` user's, stored as that person's annotation of the
document (several annotations of one task are several annotators' work, compared by `tagdesk agreement`). A user
given as an object is named by its email (else first and last name); a user given as a bare number names someone
only where the file holds more than one (`user1`, `user2`: the numbers are ids in the Label Studio server's own
database); a file by one numbered user, like one without `completed_by`, is the import's annotator's work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeGuard

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._offsets import DESCRIBED, Detector, RawSpans, convert_spans, export_units
from ._read import check_span_text, check_spans, short, text_problem
from ._stream import json_values


def _text(task: dict[str, Any], n: int, path: Path, key: str) -> tuple[str, str]:
    """The task's text and the data key holding it."""
    data = task.get("data")
    if not isinstance(data, dict):
        raise ImportFileError(path, n, 'a task needs "data": {"text": ...}')
    if key not in data:
        strings = [k for k, v in data.items() if isinstance(v, str)]
        if len(strings) != 1:
            raise ImportFileError(
                path,
                n,
                f"no {key!r} in the task's data (keys: {', '.join(sorted(data))}); name the text key with --text-key",
            )
        key = strings[0]
    text = data[key]
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, n, problem)
    return str(text), key


Raw = RawSpans
KEY = "_labelstudio"  # meta key keeping the task's ids and other keys, so that an export gives them back
TASK_OWN = ("data", "annotations", "completions", "predictions", "meta")


def _spans(result: object, n: int, path: Path, options: ReadOptions) -> tuple[Raw, list[object]]:
    """The span results as (start, end, label) in the file's units, and each one's `value.text`."""
    if not isinstance(result, list):
        raise ImportFileError(path, n, f'"result" must be a list, got {type(result).__name__}')
    out: Raw = []
    claimed: list[object] = []
    for r in result:
        if not isinstance(r, dict):
            raise ImportFileError(path, n, f"a result must be an object, got {r!r:.60}")
        value = r.get("value")
        if "from_id" in r or r.get("type") == "relation":
            options.skipped["relations"] += 1
            continue
        if not isinstance(value, dict) or "labels" not in value:
            options.skipped[f"{r.get('type', 'untyped')} results (not spans)"] += 1
            continue
        labels = value["labels"]
        if not isinstance(labels, list) or not labels:
            raise ImportFileError(path, n, f'a span\'s "labels" must be a non-empty list, got {short(labels)}')
        if len(labels) > 1:
            options.skipped["extra labels on one span (the first is kept)"] += len(labels) - 1
        start, end = value.get("start"), value.get("end")
        if (type(start) is not int or type(end) is not int) and (not _whole(start) or not _whole(end)):
            raise ImportFileError(path, n, f"span offsets must be whole numbers, got {short(start)}, {short(end)}")
        out.append((start, end, labels[0]))
        claimed.append(value.get("text"))
    return out, claimed


def _whole(x: object) -> TypeGuard[int]:
    return isinstance(x, int) and not isinstance(x, bool)


def _keys(task: dict[str, Any], ann: dict[str, Any] | None, text_key: str) -> dict[str, Any]:
    """What an export needs to give the task back as it was: its ids and other keys, the annotation's keys,
    the data's other keys and the name of the text key."""
    data = task["data"]
    kept: dict[str, Any] = {k: v for k, v in task.items() if k not in TASK_OWN}
    extra = {k: v for k, v in data.items() if k != text_key}
    if extra:
        kept["data"] = extra
    if text_key != "text":
        kept["text_key"] = text_key
    if ann is not None:
        kept["annotation"] = {k: v for k, v in ann.items() if k not in ("result", "was_cancelled")}
    return kept


Read = tuple[NewDocument, Raw | None, list[object]]


def _user(ann: dict[str, Any], n: int, path: Path) -> str | int | None:
    """Who made an annotation, as the file says: a name (from a user object), a user number, or None."""
    user = ann.get("completed_by")
    if isinstance(user, dict):
        email = user.get("email")
        if isinstance(email, str) and email.strip():
            return email.strip()
        name = " ".join(str(user.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
        if name:
            return name
        user = user.get("id")
    if user is None:
        return None
    if isinstance(user, bool) or not isinstance(user, (int, str)):
        raise ImportFileError(path, n, f'"completed_by" must be a user id or a user object, got {short(user)}')
    return user if isinstance(user, int) or not user.strip().isdigit() else int(user)


def _task(task: object, n: int, path: Path, options: ReadOptions) -> list[tuple[Read, str | int | None]]:
    """The task's document once per annotation (each with its spans and who made it); once, without an
    annotator, for a task with only predictions or nothing annotated."""
    if not isinstance(task, dict):
        raise ImportFileError(path, n, f"expected a task object, got {type(task).__name__}")
    text, text_key = _text(task, n, path, options.text_key)
    meta = dict(task["meta"]) if isinstance(task.get("meta"), dict) else {}
    anns = task.get("annotations") or task.get("completions") or []
    if not isinstance(anns, list):
        raise ImportFileError(path, n, '"annotations" must be a list')
    preds = task.get("predictions") or []
    out: list[tuple[Read, str | int | None]] = []
    for ann in anns:
        if not isinstance(ann, dict):
            raise ImportFileError(path, n, "an annotation must be an object")
        doc = NewDocument(text=text, meta=dict(meta), line=n)
        doc.status = "ignored" if ann.get("was_cancelled") else "accepted"
        raw, claimed = _spans(ann.get("result", []), n, path, options)
        out.append(((doc, raw, claimed), _user(ann, n, path)))
    if not out:
        doc = NewDocument(text=text, meta=meta, line=n)
        predicted: Raw | None = None
        claimed = []
        if preds and isinstance(preds, list) and isinstance(preds[0], dict):
            doc.status = "pending"
            predicted, claimed = _spans(preds[0].get("result", []), n, path, options)
        out.append(((doc, predicted, claimed), None))
    for i, ((doc, _raw, _claimed), _who) in enumerate(out):
        # the annotation's own keys (its id, its user) go back out with an export only where it was the task's
        # one annotation: the document is stored once, and an export writes one annotation of it
        kept = _keys(task, anns[i] if len(anns) == 1 else None, text_key)
        if kept:
            doc.meta[KEY] = kept
    return out


def _name_users(read: list[tuple[Read, str | int | None]]) -> None:
    """Set each document's annotator from its annotation's user: names as they are; numbers as `user<N>` when
    the file has several numbered users (one alone is the import's annotator)."""
    numbers = {who for _r, who in read if isinstance(who, int)}
    for (doc, _raw, _claimed), who in read:
        if isinstance(who, str):
            doc.annotator = who
        elif isinstance(who, int) and len(numbers) > 1:
            doc.annotator = f"user{who}"


def _set_spans(path: Path, doc: NewDocument, raw: Raw, claimed: list[object], conv: str, options: ReadOptions) -> None:
    assert doc.line is not None
    spans = convert_spans(doc.text, raw, conv)
    if spans is None:
        raise ImportFileError(
            path,
            doc.line,
            f"a span offset falls outside the text or inside a character counted in {DESCRIBED[conv]}; "
            "is the file in another convention? name it with --offsets codepoints|utf16|graphemes",
        )
    checked, lost = check_spans(path, doc.line, doc.text, spans, options.skipped)
    text = doc.text
    for (start, end, label), said in zip(spans, claimed, strict=True):
        if said is not None and text[start:end] != said:
            check_span_text(path, doc.line, text, start, end, label, said)
    doc.spans = checked
    if lost:
        doc.status = "pending"


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    docs: list[NewDocument] = []
    detector = Detector(given=options.offsets)
    deferred: list[tuple[NewDocument, Raw, list[object]]] = []
    read: list[tuple[Read, str | int | None]] = []
    for n, value in json_values(path, on_progress=options.on_progress):
        read.extend(_task(value, n, path, options))
    _name_users(read)
    for (doc, raw, claimed), _who in read:
        docs.append(doc)
        if raw is None:
            continue
        if detector.given is not None:
            _set_spans(path, doc, raw, claimed, detector.given, options)
        elif detector.add(doc.text, raw, n, claimed):
            deferred.append((doc, raw, claimed))
        else:
            _set_spans(path, doc, raw, claimed, "codepoints", options)
    if not docs:
        raise ImportFileError(path, None, "holds no tasks (an empty JSON array)")
    convention = detector.decide()
    if convention is None:
        raise ImportFileError(path, detector.first_misfit, NO_CONVENTION)
    for doc, raw, claimed in deferred:
        _set_spans(path, doc, raw, claimed, convention, options)
    options.offsets_used = detector.described(convention)
    return docs


NO_CONVENTION = (
    "the span offsets here fit none of code points, UTF-16 units or grapheme clusters (the text at them is not "
    "the span's value.text in any of them); if the file is right, name its convention with "
    "--offsets codepoints|utf16|graphemes"
)


class LabelStudioWriter:
    def __init__(self, path: Path, ctx: WriteContext) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")
        self.fh.write("[")
        self.first = True
        self.offsets = ctx.offsets

    def add(self, item: ExportItem) -> None:
        d = item.doc
        meta = dict(d.meta)
        kept = meta.pop(KEY, None)
        kept = dict(kept) if isinstance(kept, dict) else {}
        spans = export_units(d, item.spans, self.offsets)
        result = [
            {
                "id": f"t{d.id}s{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": {"start": s, "end": e, "text": d.text[cs:ce], "labels": [label]},
            }
            for i, ((s, e, label), (cs, ce, _l)) in enumerate(zip(spans, item.spans, strict=True))
        ]
        text_key = kept.pop("text_key", "text")
        data = {text_key: d.text, **(kept.pop("data", None) or {})}
        ann_keys = kept.pop("annotation", None) or {}
        task = {"id": d.id, **kept, "data": data, "meta": meta, "annotations": [], "predictions": []}
        if d.status == "pending":
            task["predictions"] = [{"model_version": "tagdesk", "result": result}]
        else:
            task["annotations"] = [
                {
                    "ground_truth": False,
                    **ann_keys,
                    "result": result,
                    "was_cancelled": d.status in ("ignored", "rejected"),
                }
            ]
        self.fh.write(("\n" if self.first else ",\n") + json.dumps(task, ensure_ascii=False))
        self.first = False

    def finish(self) -> None:
        self.fh.write("\n]\n")
        self.fh.close()

    def close(self) -> None:
        self.fh.close()


def sniff(path: Path, head: str) -> bool:
    return (
        not path.is_dir()
        and path.name.lower().endswith(".json")
        and '"data"' in head
        and any(k in head for k in ('"annotations"', '"completions"', '"predictions"'))
    )


register(
    Format(
        "labelstudio",
        (".json",),
        "Label Studio JSON tasks (annotations[].result[].value)",
        read=read,
        write=LabelStudioWriter,
        cannot_carry=("rejected status (written as cancelled)",),
        suffix=".json",
        sniff=sniff,
    )
)
