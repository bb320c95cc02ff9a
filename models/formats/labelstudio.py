"""Label Studio JSON: a JSON array of tasks `{"data": {"text": ...}, "annotations": [{"result": [...]}]}`, each
span a result `{"type": "labels", "from_name": "label", "to_name": "text", "value": {start, end, text, labels}}`.

Status: an accepted document is a finished annotation, an ignored or rejected one a cancelled annotation
(`was_cancelled`, read back as ignored: Label Studio has no "rejected"), a pending one with spans a prediction.
Reads 1.x exports (array), single tasks, 0.x `completions`, and `predictions` (read as pending). Only the first
annotation of a task is read (the others are counted); relation and other non-span results are skipped and counted.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ImportFileError
from ..store import NewDocument
from . import Format, ReadOptions, register
from ._export import ExportItem, WriteContext
from ._read import check_span_text, check_spans, json_values, read_utf8, short, text_problem


def _text(task: dict, n: int, path: Path, key: str) -> str:
    data = task.get("data")
    if not isinstance(data, dict):
        raise ImportFileError(path, n, 'a task needs "data": {"text": ...}')
    if key in data:
        text = data[key]
    else:
        strings = [k for k, v in data.items() if isinstance(v, str)]
        if len(strings) != 1:
            raise ImportFileError(
                path,
                n,
                f"no {key!r} in the task's data (keys: {', '.join(sorted(data))}); name the text key with --text-key",
            )
        text = data[strings[0]]
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, n, problem)
    return text


def _spans(result: object, n: int, path: Path, text: str, options: ReadOptions) -> list[tuple[int, int, str]]:
    if not isinstance(result, list):
        raise ImportFileError(path, n, f'"result" must be a list, got {type(result).__name__}')
    out = []
    for r in result:
        if not isinstance(r, dict):
            raise ImportFileError(path, n, f"a result must be an object, got {r!r:.60}")
        value = r.get("value")
        if r.get("type") == "relation" or "from_id" in r:
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
        check_spans(path, n, text, [(start, end, labels[0])], options.skipped.__class__())
        check_span_text(path, n, text, start, end, labels[0], value.get("text"))
        out.append((start, end, labels[0]))
    return out


def _task(task: object, n: int, path: Path, options: ReadOptions) -> NewDocument:
    if not isinstance(task, dict):
        raise ImportFileError(path, n, f"expected a task object, got {type(task).__name__}")
    text = _text(task, n, path, options.text_key)
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    anns = task.get("annotations") or task.get("completions") or []
    if not isinstance(anns, list):
        raise ImportFileError(path, n, '"annotations" must be a list')
    preds = task.get("predictions") or []
    if anns:
        if len(anns) > 1:
            options.skipped["extra annotations of a task (the first is read)"] += len(anns) - 1
        ann = anns[0]
        if not isinstance(ann, dict):
            raise ImportFileError(path, n, "an annotation must be an object")
        status = "ignored" if ann.get("was_cancelled") else "accepted"
        raw = _spans(ann.get("result", []), n, path, text, options)
    elif preds and isinstance(preds, list) and isinstance(preds[0], dict):
        status = "pending"
        raw = _spans(preds[0].get("result", []), n, path, text, options)
    else:
        return NewDocument(text=text, meta=dict(meta), line=n)
    spans, lost = check_spans(path, n, text, raw, options.skipped)
    return NewDocument(text=text, meta=dict(meta), line=n, spans=spans, status="pending" if lost else status)


def read(path: Path, options: ReadOptions) -> list[NewDocument]:
    content = read_utf8(path)
    if options.on_progress:
        options.on_progress(len(content), len(content))
    docs = [_task(task, n, path, options) for n, task in json_values(path, content)]
    if not docs:
        raise ImportFileError(path, None, "holds no tasks (an empty JSON array)")
    return docs


class LabelStudioWriter:
    def __init__(self, path: Path, ctx: WriteContext) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")
        self.fh.write("[")
        self.first = True

    def add(self, item: ExportItem) -> None:
        d = item.doc
        result = [
            {
                "id": f"t{d.id}s{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": {"start": s, "end": e, "text": d.text[s:e], "labels": [label]},
            }
            for i, (s, e, label) in enumerate(item.spans)
        ]
        task = {"id": d.id, "data": {"text": d.text}, "meta": d.meta, "annotations": [], "predictions": []}
        if d.status == "pending":
            task["predictions"] = [{"model_version": "tagdesk", "result": result}]
        else:
            task["annotations"] = [
                {"result": result, "was_cancelled": d.status in ("ignored", "rejected"), "ground_truth": False}
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
