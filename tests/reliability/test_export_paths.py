"""Export writes only where the user asked: names that come from the data (a brat file name in meta) cannot
reach outside the output folder, and every format writes inside --out."""

from __future__ import annotations

import pytest

from models import store
from models.formats import all_formats, export_project, get_format

pytestmark = pytest.mark.backends

HOSTILE = ["../../escape", "/tmp/abs-escape", "sub/dir", "..", "ok-name"]


def files_under(root):
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def accepted_project(make_project):
    project = make_project()
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Li Qiang met Putin {i}.", meta={"file": name}) for i, name in enumerate(HOSTILE)],
            session=s,
        )
    with project.session() as s:
        ids = [r.id for r in store.document_rows(session=s, annotator=project.annotator)]
    for doc_id in ids:
        with project.writing() as s:
            store.set_status(
                doc_id, "accepted", session=s, annotator=project.annotator, add_spans=[(0, 8, "PERSON", "human", None)]
            )
    return project


@pytest.mark.parametrize("name", sorted(n for n, f in all_formats().items() if f.write))
def test_every_format_writes_only_inside_out(accepted_project, tmp_path, name):
    fmt = get_format(name)
    out_root = tmp_path / "exports"
    out_root.mkdir()
    before = files_under(tmp_path)
    out = out_root / ("brat" if name == "brat" else f"all{fmt.suffix or ''}")
    result = export_project(accepted_project, fmt, out)
    new = files_under(tmp_path) - before
    new = {p for p in new if not p.name.startswith("tagdesk.sqlite")}  # the database's own -wal/-shm
    assert new, "nothing written"
    assert all(out_root in p.parents for p in new), sorted(map(str, new))
    assert result is not None


def test_brat_names_from_data_are_kept_only_when_safe(accepted_project, tmp_path):
    out = tmp_path / "brat"
    export_project(accepted_project, get_format("brat"), out)
    names = sorted(p.name for p in out.iterdir())
    assert "ok-name.txt" in names and "ok-name.ann" in names
    assert not any("escape" in n or "/" in n for n in names)
    assert len([n for n in names if n.endswith(".txt")]) == len(HOSTILE)
