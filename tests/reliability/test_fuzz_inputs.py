"""Fuzzing the config reader and the importers: anything may come in; the only way out is a result or a
TagdeskError, and a refused file leaves the database as it was. Files go through the real import driver
(`import_file`: reader, status and label checks, meta checks, the import run), as `tagdesk import` does."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from models import store
from models.config import CONFIG_NAME, load_config, save_config
from models.errors import ConfigError, TagdeskError
from models.formats import ReadOptions, all_formats, get_format
from models.formats._import import import_file as import_driver
from models.project import resolve_database_url

pytestmark = pytest.mark.backends

FUZZ = settings(
    max_examples=int(os.environ.get("TAGDESK_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that real files carry, weighted towards the troublesome characters; BAD ones make a file unimportable.
ODD = st.sampled_from(
    [
        "\ufeff",
        "\r",
        "\n",
        "\r\n",
        "\u200d",
        "\u200f",
        "\u202e",
        "\t",
        '"',
        ",",
        "\\",
        "{",
        "}",
        "\U0001f468",
        "é",
        "e\u0301",
        " ",
        "\x85",
        "\u2028",
        "\u05e9",
        "'",
    ]
)
BAD = st.sampled_from(["\x00", "\ud800", "\udfff"])
CLEAN = st.lists(st.text(max_size=8) | ODD, max_size=10).map(lambda parts: "".join(parts) + "w")
TEXT = CLEAN | st.lists(st.text(max_size=8) | ODD | BAD, max_size=12).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(TEXT, kids, max_size=3),
    max_leaves=8,
)


def fingerprint(engine) -> tuple:
    with engine.connect() as conn:
        return tuple(
            conn.execute(sql(f"SELECT count(*), coalesce(max(id), 0) FROM {t}")).one()
            for t in ("document", "annotation", "span", "event", "import_run")
        )


def import_file(project, path, fmt: str, **options):
    """Import like `tagdesk import` (the real driver): its report, or None when refused (the database then
    unchanged). What it stored is valid UTF-8 text without NUL."""
    before = fingerprint(project.engine)
    try:
        report = import_driver(project, path, get_format(fmt), ReadOptions(**options), add_labels=ADD_LABELS[0])
    except TagdeskError as exc:
        assert str(exc).strip() and "\n" not in str(exc), f"a message that is empty or not one line: {exc!r}"
        assert fingerprint(project.engine) == before, f"refused ({exc}) but the database changed"
        event("refused")
        return None
    event("imported")
    with project.session() as s:
        texts = s.exec(
            sql("SELECT text FROM document WHERE import_id = :run").bindparams(run=report.import_id)
        ).scalars()
        for text in texts:
            text.encode("utf-8")
            assert "\x00" not in text
    return report


def holds_exactly(project, report, texts: list[str]) -> None:
    """The import covered exactly `texts`: each is stored with that very text (new or already there)."""
    assert report.added + report.duplicates == len(texts)
    with project.session() as s:
        for text in texts:
            row = s.exec(sql("SELECT text FROM document WHERE text_hash = :h").bindparams(h=store.text_hash(text)))
            assert row.scalar_one() == text


ADD_LABELS = [False]  # the fuzzers import with --add-labels off: a file with unknown labels is refused whole


# ------------------------------------------------------------------------------------------ config


@FUZZ
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_config(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("cfg") / CONFIG_NAME
    path.write_bytes(raw)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(exc).startswith(str(path))


KEYS = (
    st.sampled_from(
        [
            "project",
            "labels",
            "model",
            "name",
            "annotator",
            "database_url",
            "color",
            "key",
            "pipeline",
            "label_map",
            "patterns",
            "extra",
        ]
    )
    | TEXT
)
TOML_VALUE = st.recursive(
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | TEXT
    | st.sampled_from(
        ["#4e79a7", "PERSON", "sqlite:///tagdesk.sqlite", "sqlite:///../../x.sqlite", "sqlite:////etc/x", "1", "drop"]
    ),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(KEYS, kids, max_size=4),
    max_leaves=10,
)
LABEL = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["PERSON", "ORG", "人名", "two words", 'O\'Brien "Q"', "🎉"]) | TEXT,
        "color": st.sampled_from(["#4e79a7", "#F28E2B", "#59a14f"]) | TEXT,
    },
    optional={"key": st.sampled_from(["", "1", "2", "q"]) | TEXT, "x": TOML_VALUE},
)
CONFIG = st.fixed_dictionaries(
    {
        "project": st.fixed_dictionaries(
            {"name": TEXT, "annotator": st.just("ann") | TEXT},
            optional={
                "database_url": st.sampled_from(
                    [
                        "sqlite:///../../x.sqlite",
                        "sqlite:///tagdesk.sqlite?mode=ro",
                        "sqlite://",
                        "sqlite:////etc/passwd",
                        "sqlite:///sub/../t.sqlite",
                        "sqlite:///tagdesk.sqlite",
                        "sqlite:///data/t.sqlite",
                        "postgresql://db.example/tagdesk",
                        "not a url",
                    ]
                )
                | TOML_VALUE
            },
        ),
        "labels": st.lists(LABEL, min_size=1, max_size=4, unique_by=lambda lab: lab["name"]),
    },
    optional={
        "model": st.fixed_dictionaries(
            {},
            optional={
                "pipeline": TEXT,
                "label_map": st.dictionaries(TEXT, st.sampled_from(["PERSON", "drop"]) | TEXT, max_size=2),
                "patterns": st.lists(TEXT, max_size=2),
            },
        )
        | st.dictionaries(KEYS, TOML_VALUE, max_size=2),
        "extra": TOML_VALUE,
    },
)


URLS = st.sampled_from(
    [
        "sqlite:///../../x.sqlite",
        "sqlite:///tagdesk.sqlite?mode=ro",
        "sqlite://",
        "sqlite:////etc/passwd",
        "sqlite:///sub/../t.sqlite",
        "sqlite:///tagdesk.sqlite",
        "sqlite:///data/t.sqlite",
        "sqlite:///./../p/x",
        "postgresql://db.example/tagdesk",
        "not a url",
        "sqlite:///" + "../" * 30 + "tmp/x",
    ]
)
NEARLY_VALID = st.fixed_dictionaries(
    {
        "project": st.fixed_dictionaries({"name": CLEAN, "annotator": st.just("ann")}, optional={"database_url": URLS}),
        "labels": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["PERSON", "ORG", "人名", "two words", "🎉", 'O\'Brien "Q"']),
                    "color": st.sampled_from(["#4e79a7", "#F28E2B"]),
                },
                optional={"key": st.sampled_from(["", "1", "2", "q"])},
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda lab: lab["name"],
        ),
    },
    optional={
        "model": st.fixed_dictionaries({}, optional={"pipeline": CLEAN, "patterns": st.lists(CLEAN, max_size=2)})
    },
)


@FUZZ
@given(data=NEARLY_VALID | CONFIG)
def test_config_shaped_tables(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("cfg")
    path = folder / CONFIG_NAME
    try:
        path.write_text(tomli_w.dumps(data), encoding="utf-8", errors="surrogatepass")
    except (TypeError, ValueError):
        return  # not representable as TOML
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        event("refused")
        return
    event("valid")
    save_config(config, path)  # what loads also saves and loads back the same
    assert load_config(path) == config
    try:
        url = resolve_database_url(config.project.database_url, folder)
    except ConfigError:
        return
    if url.startswith("sqlite"):  # a SQLite file never lands outside the project folder
        assert url.startswith(f"sqlite:///{folder.resolve()}/") or url.startswith(f"sqlite:///{folder}/")


# ------------------------------------------------------------------------------------------ importers


@FUZZ
@given(raw=st.binary(max_size=400) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), by_line=st.booleans())
def test_text_importer(project, tmp_path_factory, raw, by_line):
    path = tmp_path_factory.mktemp("in") / "fuzz.txt"
    path.write_bytes(raw)
    report = import_file(project, path, "text", by_line=by_line)
    if report is not None and not by_line:
        holds_exactly(project, report, [raw.decode("utf-8-sig")])


@FUZZ
@given(
    lines=st.lists(st.fixed_dictionaries({"text": CLEAN}, optional={"meta": JSON, "id": JSON}), max_size=6)
    | st.lists(st.fixed_dictionaries({"text": TEXT}, optional={"meta": JSON}) | JSON | TEXT, max_size=6),
    ending=st.sampled_from(["\n", "\r\n"]),
    ascii_only=st.booleans(),
)
def test_jsonl_importer(project, tmp_path_factory, lines, ending, ascii_only):
    path = tmp_path_factory.mktemp("in") / "fuzz.jsonl"
    body = ending.join(
        json.dumps(x, ensure_ascii=ascii_only) if not isinstance(x, str) or x.startswith("{") else x for x in lines
    )
    path.write_bytes(body.encode("utf-8", "surrogatepass"))
    report = import_file(project, path, "jsonl")
    if report is not None and all(isinstance(x, dict) for x in lines):
        holds_exactly(project, report, [x["text"] for x in lines])


@FUZZ
@given(
    rows=st.lists(st.lists(CLEAN, min_size=1, max_size=3), max_size=5)
    | st.lists(st.lists(TEXT, min_size=1, max_size=3)),
    raw=st.none() | st.none() | TEXT,
    bom=st.booleans(),
)
def test_csv_importer(project, tmp_path_factory, rows, raw, bom):
    path = tmp_path_factory.mktemp("in") / "fuzz.csv"
    if raw is None:
        buf = io.StringIO()
        csv.writer(buf).writerows(
            [["text", "other"]] + [r + [""] * (2 - len(r)) if len(r) < 2 else r[:2] for r in rows]
        )
        raw = buf.getvalue()
    path.write_bytes(("\ufeff" if bom else "").encode() + raw.encode("utf-8", "surrogatepass"))
    report = import_file(project, path, "csv")
    if report is not None and raw.startswith("text,other"):
        holds_exactly(project, report, [r[0] for r in rows])


READABLE = sorted(name for name, fmt in all_formats().items() if fmt.read)


@pytest.mark.parametrize("fmt", READABLE)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_every_importer_takes_any_bytes(project, tmp_path_factory, fmt, raw):
    """Every registered reader (formats added later included): any bytes give documents or a TagdeskError."""
    path = tmp_path_factory.mktemp("in") / f"fuzz{all_formats()[fmt].suffixes[0]}"
    path.write_bytes(raw)
    import_file(project, path, fmt)
