"""Readers stream their files (1 MB at a time): line numbers stay exact across chunk boundaries, and an element
bigger than a chunk is read whole."""

from __future__ import annotations

import json

import pytest

from models.errors import ImportFileError
from models.formats import ReadOptions, get_format
from models.formats._stream import CHUNK

N = 40_000  # lines: several chunks of text


def _read(fmt, path):
    return get_format(fmt).read(path, ReadOptions())


def test_jsonl_error_on_the_last_line_names_it(tmp_path):
    path = tmp_path / "many.jsonl"
    lines = [json.dumps({"text": f"Document {i} about Berlin, Zürich and 😀."}) for i in range(N)]
    lines[-1] = '{"text": "cut short'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * CHUNK
    with pytest.raises(ImportFileError) as err:
        _read("jsonl", path)
    assert str(err.value).startswith(f"{path}:{N}: invalid JSON")


def test_a_byte_that_is_not_utf8_deep_in_a_streamed_file_names_its_line(tmp_path):
    path = tmp_path / "latin1.jsonl"
    body = "".join(json.dumps({"text": f"Line {i} ok"}) + "\n" for i in range(3 * N)).encode()
    cut = body.index(b"ok", CHUNK + 10)  # a few lines after the first chunk ends
    bad = body.count(b"\n", 0, cut) + 1
    path.write_bytes(body[:cut] + b"\xe9" + body[cut + 1 :])
    with pytest.raises(ImportFileError) as err:
        _read("jsonl", path)
    assert str(err.value).startswith(f"{path}:{bad}: not UTF-8 (byte 0xe9)")


def test_column_file_error_on_its_last_line_names_it(tmp_path):
    path = tmp_path / "big.conll"
    rows = ["-DOCSTART- -X- O O", ""] + [f"word{i}\t{'B-PER' if i % 7 == 0 else 'O'}" for i in range(N)]
    rows.append("broken\tB-")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        _read("conll", path)
    assert str(err.value).startswith(f"{path}:{len(rows)}: tag 'B-'")


def test_a_json_array_element_bigger_than_a_chunk_is_read_whole_with_its_line(tmp_path):
    path = tmp_path / "tasks.json"
    big = "Ada " * (CHUNK // 2) + "met Bob."  # ~2 MB of text
    tasks = [{"data": {"text": f"Task {i}"}} for i in range(3)] + [{"data": {"text": big}}]
    tasks += [{"data": {"text": "After the big one"}, "annotations": [{"result": [{"value": {}}]}]}]
    tasks[-1]["annotations"][0]["result"][0] = {"type": "labels", "value": {"start": 0, "end": 99, "labels": ["X"]}}
    path.write_text(json.dumps(tasks, indent=1), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    line = text.count("\n", 0, text.rindex('\n {\n  "data"')) + 2
    with pytest.raises(ImportFileError) as err:
        _read("labelstudio", path)
    assert str(err.value).startswith(f"{path}:{line}:"), str(err.value)
    tasks.pop()
    path.write_text(json.dumps(tasks, indent=1), encoding="utf-8")
    assert [d.text for d in _read("labelstudio", path)] == ["Task 0", "Task 1", "Task 2", big]
