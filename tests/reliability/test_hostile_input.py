"""Config files and imported texts that are odd, broken or huge: imported exactly (offsets included) or refused
with one clear line naming the file, the line and what to do; a refusal stores nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text as sql

from models import store
from models.config import CONFIG_NAME, load_config
from models.errors import ConfigError
from models.project import new_project, open_project

pytestmark = pytest.mark.backends

GOOD_CONFIG = """
[project]
name = "p"
annotator = "ann"

[[labels]]
name = "PERSON"
color = "#4e79a7"
key = "1"
"""

# A text with what real files carry: combining marks, ZWJ emoji sequences, RTL text and marks, a BOM in the
# middle (U+FEFF as a zero-width no-break space), Windows line ends, tabs, an astral character.
ODD = (
    "Zoë\u0301 met \U0001f468\u200d\U0001f469\u200d\U0001f467 in \u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd "
    "\u200f(\u202eRTL\u202c)\u200e; a\ufeffb\r\nnext line\twith \U0001d400 math.\r\n"
)
TARGETS = [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd",
    "a\ufeffb",
    "\U0001d400",
]


def fingerprint(project) -> tuple:
    with project.engine.connect() as conn:
        return tuple(
            conn.execute(sql(f"SELECT count(*), coalesce(max(id), 0) FROM {t}")).one()
            for t in ("document", "annotation", "span", "event")
        )


def stored_texts(project) -> list[str]:
    with project.engine.connect() as conn:
        return [r[0] for r in conn.execute(sql("SELECT text FROM document ORDER BY position"))]


# ------------------------------------------------------------------------------------------ config files

P = '[project]\nname = "p"\nannotator = "ann"\n'
L = '[[labels]]\nname = "A"\ncolor = "#000000"\n'


@pytest.mark.parametrize(
    "body, expected",
    [
        ('labels = "PERSON"\n' + P, "labels: expected a list"),
        (P + '[[labels]]\nname = 5\ncolor = "#000000"', "labels[0].name: expected a string, got int 5"),
        ('colour = "red"\n' + P + L, "unknown key 'colour'"),
        (P + '[[labels]]\nname = "A"\ncolor = "red"', "labels[0].color: expected a colour like"),
        (P + L + 'key = "F1"', "expected one character"),
        (P + '[[labels]]\nname = "A "\ncolor = "#000000"', "cannot start or end with spaces"),
        (P + L + L.replace("#000000", "#111111"), "A listed twice"),
        (P + '[model]\nlabel_map = { ORG = "COMPANY" }\n' + L, "model.label_map.ORG: 'COMPANY' is not a project label"),
        (P + '[model]\npatterns = "p.jsonl"\n' + L, "model.patterns: expected a list"),
        (P + "[model]\npipeline = 3\n" + L, "model.pipeline: expected a string"),
        ('[project]\nannotator = "ann"\n', "project.name: missing"),
        (P + L + "[labels]\nx = 1", "not valid TOML"),
        (P + '[[labels]\nname = "A"', "not valid TOML"),
    ],
)
def test_a_wrong_config_names_the_file_and_key(tmp_path, body, expected):
    path = tmp_path / CONFIG_NAME
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert msg.startswith(str(path)) and expected in msg, msg


def test_wrong_types_in_the_project_section(tmp_path):
    path = tmp_path / CONFIG_NAME
    for line, expected in [
        ("annotator = 7", "project.annotator: expected a string"),
        ('annotator = ""', "project.annotator"),
        ('database_url = ["x"]', "project.database_url: expected a string"),
        ('databse_url = "sqlite:///x.sqlite"', "unknown key 'project.databse_url'"),
    ]:
        body = GOOD_CONFIG.replace('annotator = "ann"', line if "annotator" in line else f'annotator = "ann"\n{line}')
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError, match=expected.replace("[", r"\[")):
            load_config(path)


def test_a_config_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / CONFIG_NAME
    path.write_bytes(GOOD_CONFIG.replace("ann", "Jos\xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text.*save it as UTF-8"):
        load_config(path)


ODD_LABELS = [
    "人名",
    'O\'Brien "Q"',
    "two words",
    "Ort/Stadt",
    "emoji 🎉",
    "família 👨\u200d👩\u200d👧",
    "שם",
    "a\\b",
    "x=y",
    "[brackets]",
    "#hash",
    "ZWSP\u200bIN",
]


def test_labels_with_odd_characters_survive_config_and_database(tmp_path):
    with new_project(tmp_path / "p", ODD_LABELS, annotator="ann") as project, project.writing() as s:
        store.add_documents([store.NewDocument(text=" ".join(f"w{i:02d}" for i in range(40)))], session=s)
    with open_project(tmp_path / "p") as project:
        assert project.config.label_names == ODD_LABELS
        for i, label in enumerate(ODD_LABELS):
            with project.writing() as s:
                store.add_span(1, 4 * i, 4 * i + 3, label, session=s, annotator="ann")
        with project.session() as s:
            assert [sp.label for sp in store.spans_of(1, session=s, annotator="ann")] == ODD_LABELS
            assert set(store.stats(session=s)["spans_by_label"]) == set(ODD_LABELS)


def test_two_hundred_labels(tmp_path):
    labels = [f"LABEL_{i:03d}" for i in range(200)]
    with new_project(tmp_path / "p", labels, annotator="ann") as project, project.writing() as s:
        store.add_documents([store.NewDocument(text="alpha beta gamma")], session=s)
    with open_project(tmp_path / "p") as project:
        cfg = project.config
        assert cfg.label_names == labels
        assert [lab.key for lab in cfg.labels[:10]] == list("1234567890")
        assert all(lab.key == "" for lab in cfg.labels[10:])  # keys run out: no clash, no crash
        assert len({lab.color for lab in cfg.labels}) > 10
        with project.writing() as s:
            store.add_span(1, 6, 10, "LABEL_199", session=s, annotator="ann")
        with project.session() as s:
            assert store.stats(session=s)["spans_by_label"] == {"LABEL_199": 1}


# ------------------------------------------------------------------------------------------ imports


def _write(path, content: str | bytes):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _csv(rows: list[list[str]], lineterminator="\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=lineterminator).writerows(rows)
    return buf.getvalue()


def _check_offsets(project, original: str) -> None:
    """Spans at code-point offsets of `original` store and read back as the same characters."""
    with project.session() as s:
        doc_id = next(
            r.id
            for r in store.document_rows(session=s, annotator="ann", limit=1000)
            if store.get_document(r.id, session=s).text == original
        )
    for target in TARGETS:
        start = original.index(target)
        with project.writing() as s:
            store.add_span(doc_id, start, start + len(target), "PERSON", session=s, annotator="ann")
    with project.session() as s:
        text = store.get_document(doc_id, session=s).text
        assert [text[sp.start : sp.end] for sp in store.spans_of(doc_id, session=s, annotator="ann")] == TARGETS


@pytest.mark.parametrize(
    "name, content, args",
    [
        ("odd.txt", ODD, []),
        ("odd-bom.txt", "\ufeff" + ODD, []),  # a leading BOM is dropped, nothing else
        ("odd.jsonl", json.dumps({"text": ODD, "meta": {"id": 1}}) + "\r\n", []),
        ("odd-raw.jsonl", json.dumps({"text": ODD}, ensure_ascii=False) + "\n", []),
        ("odd.csv", "\ufeff" + _csv([["id", "text"], ["1", ODD]]), []),
    ],
)
def test_odd_characters_are_imported_exactly(project, cli, tmp_path, name, content, args):
    code, out, err = cli("import", project.folder, _write(tmp_path / name, content), *args)
    assert code == 0, err
    assert stored_texts(project) == [ODD]
    _check_offsets(project, ODD)


def test_windows_line_ends_one_document_per_line(project, cli, tmp_path):
    path = _write(tmp_path / "lines.txt", "first line\r\n\r\nsecond \u200fline\r\n")
    code, _, err = cli("import", project.folder, path, "--by-line")
    assert code == 0, err
    assert stored_texts(project) == ["first line", "second \u200fline"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt", "jsonl", "csv"])
def test_a_ten_megabyte_text(project, cli, tmp_path, fmt):
    big = ("Ada Lovelace wrote to Charles Babbage from London. " * 200_000)[: 10_000_000 - len(ODD)] + ODD
    content = {"txt": big, "jsonl": json.dumps({"text": big}) + "\n", "csv": _csv([["text"], [big]])}[fmt]
    code, out, err = cli("import", project.folder, _write(tmp_path / f"big.{fmt}", content))
    assert code == 0, err
    assert stored_texts(project) == [big]
    _check_offsets(project, big)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("nul.txt", "text with a \x00 inside", "nul.txt: the text has a NUL character at position 12"),
        ("nul.jsonl", '{"text": "ok"}\n{"text": "a\\u0000b"}\n', "nul.jsonl:2: the text has a NUL character"),
        ("nul.csv", "text\nfine\nbad\x00row\n", "nul.csv:3: the text has a NUL character"),
        (
            "surrogate.jsonl",
            '{"text": "ok"}\n{"text": "half \\ud800 emoji"}\n',
            "surrogate.jsonl:2: the text has a lone surrogate",
        ),
        (
            "surrogate-meta.jsonl",
            '{"text": "ok", "meta": {"who": "\\udc00"}}\n',
            "surrogate-meta.jsonl:1: a key or value",
        ),
        ("deep.jsonl", '{"text": "ok"}\n' + "[" * 100_000 + "\n", "deep.jsonl:2: invalid JSON: nested too deeply"),
        ("bigint.jsonl", '{"text": "ok", "n": ' + "9" * 5000 + "}\n", "bigint.jsonl:1: invalid JSON"),
        ("cut.jsonl", '{"text": "ok"}\n{"text": "cut sho', "cut.jsonl:2: invalid JSON"),
        ("utf16.txt", "hello".encode("utf-16"), "utf16.txt:1: UTF-16 text, not UTF-8"),
        ("latin1.csv", "text\nJos\xe9\n".encode("latin-1"), "latin1.csv:2: not UTF-8 (byte 0xe9)"),
        ("empty.txt", "  \r\n\t", "the text is empty"),
        ("binary.txt", bytes(range(256)) * 4, "not UTF-8"),
    ],
)
def test_broken_input_is_refused_with_a_clear_line_and_stores_nothing(project, cli, tmp_path, name, content, expected):
    before = fingerprint(project)
    code, out, err = cli("import", project.folder, _write(tmp_path / name, content))
    assert code == 1
    line = err.strip()
    assert "\n" not in line and expected in line and "nothing from this file was stored" in line, line
    assert fingerprint(project) == before
