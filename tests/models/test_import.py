"""`tagdesk import`: text, JSONL, CSV; duplicates stored once; a bad file is refused whole with file:line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.dbtools import raw_rows, table_dump

pytestmark = pytest.mark.backends


def db_dump(project) -> list:
    """Everything stored, to compare before/after a refused import."""
    return table_dump(project)


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_jsonl_keeps_meta_and_other_keys(project, cli, tmp_path):
    f = write(
        tmp_path / "news.jsonl",
        json.dumps({"text": "Putin met Li.", "meta": {"date": "2024"}, "id": 7})
        + "\n"
        + "\n"
        + json.dumps({"text": "Ünïcode 😀 text"})
        + "\n",
    )
    code, out, err = cli("import", project.folder, f)
    assert (code, err) == (0, "")
    assert "2 new documents" in out
    rows = raw_rows(project, "select text, meta, source, text_hash from document order by position")
    assert [r[0] for r in rows] == ["Putin met Li.", "Ünïcode 😀 text"]
    # the record's other top-level keys are kept apart from its meta, to be written back where they were
    assert json.loads(rows[0][1]) == {"date": "2024", "_prodigy": {"id": 7}}
    assert rows[0][2] == "news.jsonl"
    assert rows[1][3] == hashlib.sha256("Ünïcode 😀 text".encode()).hexdigest()


def test_same_text_twice_is_stored_once_and_said(project, cli, tmp_path):
    f = write(tmp_path / "a.jsonl", '{"text": "Same text."}\n{"text": "Other."}\n{"text": "Same text."}\n')
    code, out, _ = cli("import", project.folder, f)
    assert code == 0 and "2 new documents; 1 repeated within the file, stored once (line 3 repeats line 1)" in out
    code, out, _ = cli("import", project.folder, f)
    assert code == 0 and "0 new documents; 2 already in the project (lines 1, 2); 1 repeated within the file" in out
    assert raw_rows(project, "select count(*) from document") == [(2,)]


def test_text_files_per_file_and_per_line(project, cli, tmp_path):
    a = write(tmp_path / "one.txt", "First article.\r\nSecond paragraph.\n")
    b = write(tmp_path / "lines.txt", "Line one.\r\n\r\nLine two.\n")
    assert cli("import", project.folder, a)[0] == 0
    code, out, _ = cli("import", project.folder, b, "--by-line")
    assert code == 0 and "2 new documents" in out
    texts = [t for (t,) in raw_rows(project, "select text from document order by position")]
    assert texts == ["First article.\r\nSecond paragraph.\n", "Line one.", "Line two."]  # text kept exactly


def test_csv_text_column_and_meta(project, cli, tmp_path):
    f = write(tmp_path / "d.csv", 'id,body,src\n1,"Quoted, with comma",x\n2,"Multi\nline",y\n')
    code, _, err = cli("import", project.folder, f, "--text-column", "body")
    assert code == 0, err
    rows = raw_rows(project, "select text, meta from document order by position")
    assert [r[0] for r in rows] == ["Quoted, with comma", "Multi\nline"]
    assert json.loads(rows[1][1]) == {"id": "2", "src": "y"}


BAD = [
    ("bad.jsonl", '{"text": "fine"}\n{"text": "broken"\n', "bad.jsonl:2: invalid JSON"),
    ("notext.jsonl", '{"text": "fine"}\n{"body": "x"}\n', "notext.jsonl:2: no 'text' key (keys here: body)"),
    ("empty.jsonl", '{"text": "fine"}\n{"text": "   "}\n', "empty.jsonl:2: the text is empty"),
    (
        "latin1.jsonl",
        '{"text": "fine"}\n{"text": "caf\xe9"}\n'.encode("latin-1"),
        "latin1.jsonl:2: not UTF-8 (byte 0xe9)",
    ),
    (
        "surrogate.jsonl",
        '{"text": "fine"}\n{"text": "half \\ud83d emoji"}\n',
        "surrogate.jsonl:2: the text has a lone surrogate",
    ),
    ("nul.jsonl", '{"text": "fine"}\n{"text": "a\\u0000b"}\n', "nul.jsonl:2: the text has a NUL character"),
    ("array.jsonl", '{"text": "fine"}\n["text"]\n', "array.jsonl:2: expected a JSON object"),
    ("nothing.jsonl", "", "nothing.jsonl: is empty"),
    ("bad.csv", 'text\nfine\n""\n', "bad.csv:3: the text is empty"),
    ("nocol.csv", "body\nfine\n", "nocol.csv:1: no column 'text' in the header (columns: body)"),
    ("latin1.txt", "caf\xe9\n".encode("latin-1"), "latin1.txt:1: not UTF-8"),
    ("blank.txt", "  \n", "blank.txt: the text is empty"),
]


@pytest.mark.parametrize("name,content,message", BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_refused_whole_with_file_line_reason(project, cli, tmp_path, name, content, message):
    good = write(tmp_path / "good.jsonl", '{"text": "Already here."}\n')
    assert cli("import", project.folder, good)[0] == 0
    before = db_dump(project)
    f = write(tmp_path / name, content)
    code, out, err = cli("import", project.folder, f)
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err  # one line
    assert f"tagdesk: error: {tmp_path / message}" in err
    assert "nothing from this file was stored" in err
    assert db_dump(project) == before


def test_one_bad_file_does_not_block_the_good_ones(project, cli, tmp_path):
    bad = write(tmp_path / "bad.jsonl", '{"text": 1}\n')
    good = write(tmp_path / "good.jsonl", '{"text": "Kept."}\n')
    code, out, err = cli("import", project.folder, bad, good)
    assert code == 1
    assert "bad.jsonl:1: the text is int, not a string" in err
    assert "good.jsonl: 1 new document" in out


def test_unknown_extension_asks_for_format(project, cli, tmp_path):
    f = write(tmp_path / "data.xyz", "x")
    code, _, err = cli("import", project.folder, f)
    assert code == 1 and "cannot tell the format from the file name; give it with --format" in err
