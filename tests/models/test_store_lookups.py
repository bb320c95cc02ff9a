"""The two lookups every decision makes: the document's stored length (right after every way documents are
stored, and after the upgrade that added it) and the overlap check, which looks at one neighbour on the index
(annotation_id, start) and must still refuse exactly the overlapping spans; and an export's list of documents,
read from an index without the texts."""

from __future__ import annotations

import json

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from models import store
from models.db.engine import _alembic_config, make_engine, migrate, schema_differences, upgrade_database
from models.db.transfer import copy_database
from models.errors import OverlapError, TagdeskError
from models.project import new_project
from models.store.documents import text_hash
from tests.dbtools import raw_rows

pytestmark = pytest.mark.backends

# code points that are not one UTF-16 unit or one UTF-8 byte each: a length counted in either would differ
TEXTS = [
    "Zoë met 東京の山田太郎 😀 and 👩‍👩‍👧 at noon.",  # CJK, an emoji, a family joined by zero-width joiners
    "e\u0301te\u0301 a\u0300 Gene\u0300ve",  # combining accents after their letters
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 beyond the first plane",
    "\ufeff\u200bzero-width first",
    "plain ascii",
]
# the lengths written out: what an editor counting code points shows
LENGTHS = [36, 16, 32, 18, 11]


def lengths_in(rows) -> dict[str, int]:
    return {str(t): int(n) for t, n in rows}


def test_the_texts_lengths_are_what_they_seem():
    assert [len(t) for t in TEXTS] == LENGTHS


# ---------------------------------------------------------------------------------------------- the stored length
def test_an_import_stores_each_length_in_code_points_and_decisions_check_spans_against_it(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    assert lengths_in(raw_rows(project, "SELECT text, length FROM document")) == dict(zip(TEXTS, LENGTHS, strict=True))
    with project.writing() as s:
        for row in store.document_rows(session=s, annotator="ann"):
            length = LENGTHS[TEXTS.index(store.get_document(row.id, session=s).text)]
            assert store.text_length(row.id, session=s) == row.length == length
            store.add_span(row.id, length - 1, length, "PERSON", session=s, annotator="ann")  # the last code point
            with pytest.raises(TagdeskError, match=f"outside the text \\(0-{length}\\)"):
                store.add_span(row.id, 0, length + 1, "ORG", session=s, annotator="ann")


def test_a_file_import_stores_the_lengths(project, cli, tmp_path):
    path = tmp_path / "texts.jsonl"
    lines = [{"text": t, "spans": [{"start": 0, "end": len(t), "label": "ORG"}], "answer": "accept"} for t in TEXTS]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    code, _out, err = cli("import", project.folder, path)
    assert code == 0, err
    assert lengths_in(raw_rows(project, "SELECT text, length FROM document")) == dict(zip(TEXTS, LENGTHS, strict=True))


def test_copies_between_backends_keep_the_lengths(make_project, backend, tmp_path):
    source = make_project(name="source")
    with source.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    # to a SQLite file (the way `tagdesk backup` copies a PostgreSQL project)
    copy_database(source.engine, f"sqlite:///{tmp_path / 'copy.sqlite'}")
    copied = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    with copied.connect() as conn:
        assert lengths_in(conn.execute(text("SELECT text, length FROM document"))) == dict(
            zip(TEXTS, LENGTHS, strict=True)
        )
    if backend.is_postgresql:  # and a SQLite project to the server (`tagdesk copy --to`)
        with new_project(tmp_path / "local", ["PERSON"], annotator="ann") as local:
            with local.writing() as s:
                store.add_documents([store.NewDocument(text=t[::-1]) for t in TEXTS], session=s)
            url = backend.database_url(empty=True)
            copy_database(local.engine, url)
        server = make_engine(url)
        with server.connect() as conn:
            assert lengths_in(conn.execute(text("SELECT text, length FROM document"))) == {
                t[::-1]: n for t, n in zip(TEXTS, LENGTHS, strict=True)
            }
        server.dispose()
    copied.dispose()


def test_a_project_made_at_0012_gets_every_documents_length_when_upgraded(backend, tmp_path):
    engine = make_engine(backend.database_url(empty=True) or f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.begin() as conn:  # as the Tagdesk before this schema stored documents and spans
        migrate(conn, "0012_search_watermark")
        for i, t in enumerate(TEXTS):
            conn.execute(
                text("INSERT INTO document (text, text_hash, meta, source, position) VALUES (:t, :h, '{}', '', :p)"),
                {"t": t, "h": text_hash(t), "p": i},
            )
        conn.execute(
            text(
                "INSERT INTO annotation (document_id, annotator, status, seconds_spent, updated_at, version) "
                "VALUES (1, 'ann', 'pending', 0, :now, 1)"
            ),
            {"now": "2026-12-01 10:00:00"},
        )
        conn.execute(
            text("INSERT INTO span (annotation_id, start, \"end\", label, origin) VALUES (1, 8, 10, 'GPE', 'human')")
        )
    try:
        assert upgrade_database(engine, shared_upgrade=True) == "0012_search_watermark"
        with engine.connect() as conn:
            assert lengths_in(conn.execute(text("SELECT text, length FROM document"))) == dict(
                zip(TEXTS, LENGTHS, strict=True)
            )
            assert schema_differences(conn, compare_type=True) == []
            assert {ix["name"] for ix in inspect(conn).get_indexes("span")} == {
                "ix_span_annotation_id_start",
                "ix_span_label",
            }
        with store.writing(engine) as s:  # decisions on the upgraded project see the lengths and the old span
            assert store.text_length(1, session=s) == LENGTHS[0]
            store.add_span(1, LENGTHS[0] - 1, LENGTHS[0], "ORG", session=s, annotator="ann")
            with pytest.raises(OverlapError, match="overlaps the GPE span at 8-10"):
                store.add_span(1, 9, 12, "PERSON", session=s, annotator="ann")
        with engine.begin() as conn:  # and back: the revision before has neither
            command.downgrade(_alembic_config(conn), "0012_search_watermark")
            assert "length" not in {c["name"] for c in inspect(conn).get_columns("document")}
            assert "ix_span_annotation_id" in {ix["name"] for ix in inspect(conn).get_indexes("span")}
        assert upgrade_database(engine, shared_upgrade=True) == "0012_search_watermark"
        with engine.connect() as conn:
            assert lengths_in(conn.execute(text("SELECT text, length FROM document"))) == dict(
                zip(TEXTS, LENGTHS, strict=True)
            )
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------- the overlap check
@pytest.fixture
def doc_id(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="x" * 100)], session=s)
        return store.document_rows(session=s, annotator="ann")[0].id


def _spans(project, doc_id):
    with project.session() as s:
        return [(x.start, x.end) for x in store.spans_of(doc_id, session=s, annotator="ann")]


@pytest.mark.parametrize(
    ("start", "end", "refused_by"),
    [
        (0, 10, None),  # ends where the first begins
        (20, 30, None),  # between the two, touching both
        (60, 100, None),  # after the last
        (5, 11, (10, 20)),  # into the first from before it
        (19, 21, (10, 20)),  # across the end of the first
        (12, 15, (10, 20)),  # inside the first
        (0, 100, (10, 20)),  # around both: the first in reading order is named
        (25, 45, (30, 40)),  # around the second
        (39, 50, (30, 40)),  # across the end of the last
        (10, 20, (10, 20)),  # exactly the first
    ],
)
def test_a_new_span_is_refused_exactly_when_it_overlaps_one(project, doc_id, start, end, refused_by):
    with project.writing() as s:
        for a, b in ((10, 20), (30, 40)):
            store.add_span(doc_id, a, b, "PERSON", session=s, annotator="ann")
        if refused_by is None:
            store.add_span(doc_id, start, end, "ORG", session=s, annotator="ann")
        else:
            with pytest.raises(OverlapError) as caught:
                store.add_span(doc_id, start, end, "ORG", session=s, annotator="ann")
            assert caught.value.other[1:] in {(10, 20), (30, 40)}
            assert caught.value.other[1] < end and caught.value.other[2] > start
    expected = [(10, 20), (30, 40)] + ([] if refused_by else [(start, end)])
    assert _spans(project, doc_id) == sorted(expected)


def test_a_span_moved_over_its_own_place_is_kept_and_onto_a_neighbour_refused(project, doc_id):
    with project.writing() as s:
        _first, middle, last = (
            store.add_span(doc_id, a, b, "PERSON", session=s, annotator="ann").span
            for a, b in ((0, 5), (10, 20), (30, 40))
        )
        store.update_span(middle.id, start=12, end=25, session=s, annotator="ann")  # over part of itself
        store.update_span(middle.id, start=5, end=30, session=s, annotator="ann")  # touching both neighbours
        # the moved span has the largest start before the new end: the one before it is the one to look at
        with pytest.raises(OverlapError, match="overlaps the PERSON span at 0-5"):
            store.update_span(middle.id, start=3, end=29, session=s, annotator="ann")
        with pytest.raises(OverlapError, match="overlaps the PERSON span at 30-40"):
            store.update_span(middle.id, start=6, end=31, session=s, annotator="ann")
        store.update_span(last.id, start=45, end=50, session=s, annotator="ann")
        store.update_span(middle.id, start=5, end=45, session=s, annotator="ann")  # into the place `last` left
    assert _spans(project, doc_id) == [(0, 5), (5, 45), (45, 50)]


def test_the_overlap_check_reads_the_index_not_every_span(project, doc_id):
    """Thousands of spans on one annotation: every probe finds the right neighbour, and the query takes it from
    the index (annotation_id, start) in one step."""
    text_ = "y" * 30_000
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=text_, spans=[(k, k + 3, "GPE") for k in range(0, 30_000, 5)], status="pending")],
            session=s,
            annotator="ann",
        )
        big = max(r.id for r in store.document_rows(session=s, annotator="ann"))
        ann = store.get_annotation(big, session=s, annotator="ann").id
        for start, end, fits in ((3, 5, True), (4, 6, False), (29_998, 30_000, True), (29_994, 29_996, False)):
            if fits:
                store.add_span(big, start, end, "ORG", session=s, annotator="ann")
            else:
                with pytest.raises(OverlapError):
                    store.add_span(big, start, end, "ORG", session=s, annotator="ann")
    if backend_is_sqlite(project):
        plan = " ".join(
            str(row[-1])
            for row in raw_rows(
                project,
                f'EXPLAIN QUERY PLAN SELECT label, start, "end" FROM span WHERE annotation_id = {ann} AND start < 10 '
                "AND id != -1 ORDER BY start DESC LIMIT 1",
            )
        )
        assert "ix_span_annotation_id_start (annotation_id=? AND start<?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort: the index is walked backwards
    else:
        with project.engine.begin() as conn:  # the planner's figures for the spans just stored
            conn.exec_driver_sql("ANALYZE span")
        plan = " ".join(
            str(row[0])
            for row in raw_rows(
                project,
                f'EXPLAIN SELECT label, start, "end" FROM span WHERE annotation_id = {ann} AND start < 15000 '
                "AND id != -1 ORDER BY start DESC LIMIT 1",
            )
        )
        assert "Index Scan Backward using ix_span_annotation_id_start" in plan, plan


def backend_is_sqlite(project) -> bool:
    return project.engine.url.get_backend_name() == "sqlite"


LENGTH = 40
edit = st.tuples(
    st.sampled_from(["add", "move", "remove"]), st.integers(0, LENGTH), st.integers(0, LENGTH), st.integers(0, 99)
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=25))
def test_any_sequence_of_edits_is_refused_exactly_where_a_brute_force_check_finds_an_overlap(project, edits):
    with project.writing() as s:
        n = store.document_count(session=s)
        store.add_documents([store.NewDocument(text=f"{n:08d}".ljust(LENGTH, "z"))], session=s)
        doc = max(r.id for r in store.document_rows(session=s, annotator="ann"))
        held: dict[int, tuple[int, int]] = {}  # span id -> (start, end): what the store should hold
        for kind, a, b, pick in edits:
            start, end = min(a, b), max(a, b)
            if start == end:
                start, end = (start, end + 1) if end < LENGTH else (start - 1, end)
            moved = sorted(held)[pick % len(held)] if held and kind != "add" else None
            if kind != "add" and moved is None:
                continue
            if kind == "remove":
                store.remove_span(moved, session=s, annotator="ann")
                del held[moved]
                continue
            in_the_way = {(x, y) for i, (x, y) in held.items() if i != moved and x < end and y > start}
            try:
                if kind == "add":
                    span = store.add_span(doc, start, end, "ORG", session=s, annotator="ann").span
                    assert span is not None and span.id is not None
                    held[span.id] = (start, end)
                else:
                    store.update_span(moved, start=start, end=end, session=s, annotator="ann")
                    held[moved] = (start, end)
            except OverlapError as exc:
                assert in_the_way, f"{kind} {start}-{end} refused, but it overlaps nothing of {sorted(held.values())}"
                assert exc.other is not None and exc.other[1:] in in_the_way
            else:
                assert not in_the_way, f"{kind} {start}-{end} was stored over {sorted(in_the_way)}"
        stored = {x.id: (x.start, x.end) for x in store.spans_of(doc, session=s, annotator="ann")}
    assert stored == held


def test_an_import_refuses_overlapping_spans_it_is_handed(project):
    with (
        project.writing() as s,
        pytest.raises(TagdeskError, match="line 7: the spans 0-5 .PERSON. and 3-8 .ORG. overlap"),
    ):
        store.add_documents(
            [store.NewDocument(text="Ada Lovelace", spans=[(3, 8, "ORG"), (0, 5, "PERSON")], line=7)], session=s
        )
    with project.writing() as s, pytest.raises(TagdeskError, match="the spans 0-5 .PERSON. and 0-5 .PERSON. overlap"):
        store.add_documents([store.NewDocument(text="Ada Lovelace", spans=[(0, 5, "PERSON")] * 2)], session=s)
    assert raw_rows(project, "SELECT count(*) FROM document") == [(0,)]


def test_an_exports_list_of_documents_and_hashes_is_read_from_the_index_in_project_order(project, doc_id):
    """The plan of a team export (which documents, with their text hashes, in project order) matches the
    documents, and on SQLite its page query reads only the index (position, id, text_hash, import_id): the hash
    sits after the text in the row, where reading it walks the text's overflow pages."""
    from sqlalchemy import select

    from models.db.tables import DOCUMENT
    from models.store.exports import export_plan
    from models.store.imports import published

    with project.writing() as s:
        store.add_documents([store.NewDocument(text="z" * 9_000, spans=[(0, 3, "ORG")])], session=s, annotator="ann")
    with project.session() as s:
        plan, conflicts = export_plan(session=s, annotator=None, statuses=("accepted", "pending"))
    expected = raw_rows(project, "SELECT id, text_hash FROM document ORDER BY position, id")
    assert [tuple(row) for row in plan] == [tuple(row) for row in expected] and conflicts == 0
    if backend_is_sqlite(project):
        page = select(DOCUMENT.c.id, DOCUMENT.c.text_hash, DOCUMENT.c.position).where(published())
        page = page.order_by(DOCUMENT.c.position, DOCUMENT.c.id).limit(2000)
        sql = str(page.compile(project.engine, compile_kwargs={"literal_binds": True}))
        plan_text = " ".join(str(row[-1]) for row in raw_rows(project, f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN document USING COVERING INDEX ix_document_position_id_hash" in plan_text, plan_text
        assert "TEMP B-TREE" not in plan_text, plan_text  # the index gives the order


def test_a_decision_removes_exactly_the_spans_it_names_and_logs_their_exact_scores(project):
    """A decision reads its annotation's spans in one go (on SQLite as one JSON array from the engine): the spans it
    removes are the ones at the named places, and the event records their scores to the last bit (a real that
    SQLite would write in JSON with 15 digits comes out a different double)."""
    score = 0.12345678901234568  # 17 significant digits: 15 give 0.123456789012346
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="Ada went to Paris and London.")], session=s)
        doc = store.document_rows(session=s, annotator="ann")[0].id
        spans = [(0, 3, "PERSON", "model", score), (12, 17, "GPE", "human", None), (22, 28, "GPE", "model", 0.5)]
        store.decide(doc, "pending", session=s, annotator="ann", add_spans=spans)
        store.decide(doc, "accepted", session=s, annotator="ann", remove_spans=[(0, 3), (22, 28), (5, 9)])
        left = [(x.start, x.end, x.label) for x in store.spans_of(doc, session=s, annotator="ann")]
    assert left == [(12, 17, "GPE")]
    payload = json.loads(raw_rows(project, "SELECT payload FROM event ORDER BY id DESC LIMIT 1")[0][0])
    removed = [item[:5] for item in payload["removed"]]
    assert removed == [[0, 3, "PERSON", "model", score], [22, 28, "GPE", "model", 0.5]]
