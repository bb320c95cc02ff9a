"""A team's project on a PostgreSQL server: copied there from SQLite and back, backed up as SQLite, upgraded
explicitly, annotated from two processes while the server is stopped and started again."""

from __future__ import annotations

import time

import pytest
from reliability_helpers import ANNOTATOR, check_project, decisions, make_child_project, read_acks, start_child

from models import store
from models.config import CONFIG_NAME, load_config, make_config, save_config
from models.db.engine import current_revision, head_revision, make_engine, migrate
from models.errors import SchemaMismatchError
from models.project import open_project
from tests.dbtools import rows_by_table

pytestmark = pytest.mark.slow


def annotated_sqlite_project(folder):
    """A SQLite project with every kind of row: imported annotations, decisions, a dismissal, suggestions."""
    make_child_project(folder, docs=6)
    with open_project(folder) as project, project.writing() as s:
        store.add_documents(
            [store.NewDocument(text="Émile Zola met Li Qiang in Köln.", spans=[(0, 10, "PERSON")], status="accepted")],
            session=s,
            source="carried.jsonl",
            annotator=ANNOTATOR,
        )
        store.store_suggestions_bulk([(1, [{"start": 0, "end": 4, "label": "ORG"}])], "m@1", session=s)
        s.commit()
        store.add_span(1, 0, 4, "PERSON", session=s, annotator=ANNOTATOR)
        store.add_span(2, 5, 9, "ORG", session=s, annotator=ANNOTATOR)
        store.dismiss_suggestion(2, 10, 14, "GPE", session=s, annotator=ANNOTATOR)
        store.set_status(2, "accepted", session=s, annotator=ANNOTATOR, add_spans=[(15, 19, "GPE", "model", 0.5)])
        store.remove_span(1, session=s, annotator=ANNOTATOR)
    return folder


def test_a_sqlite_project_is_copied_to_postgresql_and_back_with_everything(tmp_path, pg_server, cli):
    folder = annotated_sqlite_project(tmp_path / "proj")
    with open_project(folder) as project:
        original = rows_by_table(project.engine)
    assert original["event"] and original["dismissal"] and original["suggestion"]

    url = pg_server.url(pg_server.create_database())
    code, out, err = cli("copy", folder, "--to", url, "--switch")
    assert (code, err) == (0, ""), err
    assert "Copied" in out and "7 documents" in out
    assert load_config(folder / CONFIG_NAME).project.database_url == url
    with open_project(folder) as project:
        assert project.engine.dialect.name == "postgresql"
        assert rows_by_table(project.engine) == original  # same rows, same ids, event log included
        with project.session() as s:
            assert [
                r.id
                for r in store.document_rows(session=s, annotator=ANNOTATOR, filters=store.ListFilters(search="KÖLN"))
            ] == [7]
        with project.writing() as s:  # the sequences continue after the copied ids
            added = store.add_span(3, 0, 4, "PERSON", session=s, annotator=ANNOTATOR).span
            assert added.id > max(r[0] for r in original["span"])
            store.add_documents([store.NewDocument(text="A new one after the copy.")], session=s)
        moved_on = rows_by_table(project.engine)

    code, _out, err = cli("copy", folder, "--to", url)  # the target must be empty: refused, nothing changed
    assert code == 1 and "is not empty" in err
    back = tmp_path / "back.sqlite"
    code, out, err = cli("copy", folder, "--to", back)
    assert (code, err) == (0, ""), err
    with make_engine(f"sqlite:///{back}").connect() as conn:
        assert current_revision(conn) == head_revision()
    engine = make_engine(f"sqlite:///{back}")
    assert rows_by_table(engine) == moved_on
    engine.dispose()
    assert not list(tmp_path.glob("*.part"))


def test_backup_of_a_postgresql_project_is_a_sqlite_project_file(tmp_path, pg_server, cli):
    url = pg_server.url(pg_server.create_database())
    folder = annotated_sqlite_project(tmp_path / "proj")
    assert cli("copy", folder, "--to", url, "--switch")[0] == 0
    code, out, err = cli("backup", folder)
    assert (code, err) == (0, ""), err
    (copy,) = (folder / "backups").glob("tagdesk-*.sqlite")
    assert "7 documents" in out and str(copy) in out
    restored = tmp_path / "restored"
    restored.mkdir()
    copy.rename(restored / "tagdesk.sqlite")
    save_config(make_config("restored", ["PERSON", "ORG", "GPE"], annotator=ANNOTATOR), restored / CONFIG_NAME)
    with open_project(folder) as on_server, open_project(restored) as from_backup:
        assert rows_by_table(from_backup.engine) == rows_by_table(on_server.engine)
        with from_backup.session() as s:
            assert [
                r.id
                for r in store.document_rows(session=s, annotator=ANNOTATOR, filters=store.ListFilters(search="zola"))
            ] == [7]


def old_shared_project(tmp_path, pg_server, revision="0002_dismissal"):
    """A project whose server database has an older schema (as made by an older Tagdesk) and one document."""
    name = pg_server.create_database()
    engine = make_engine(pg_server.url(name))
    with engine.begin() as conn:
        migrate(conn, "0002_dismissal")  # the document as the oldest schema here stores it, then upgraded
        conn.exec_driver_sql(
            "INSERT INTO document (text, text_hash, meta, source, position) VALUES ('Old Zoë text', 'h1', '{}', '', 0)"
        )
        migrate(conn, revision)
    engine.dispose()
    folder = tmp_path / "team"
    folder.mkdir()
    cfg = make_config("team", ["PERSON"], annotator=ANNOTATOR, database_url=pg_server.url(name))
    save_config(cfg, folder / CONFIG_NAME)
    return folder, pg_server.url(name)


def test_a_shared_database_is_upgraded_only_by_tagdesk_upgrade_after_a_backup(tmp_path, pg_server, cli):
    folder, url = old_shared_project(tmp_path, pg_server)
    with pytest.raises(SchemaMismatchError, match=f"schema 0002_dismissal.*run: tagdesk upgrade {folder}"):
        open_project(folder)
    code, _out, err = cli("import", folder, tmp_path / "nothing.txt")
    assert code == 1 and "tagdesk upgrade" in err and "Traceback" not in err
    engine = make_engine(url)
    assert current_revision(engine) == "0002_dismissal"  # opening changed nothing

    code, out, err = cli("upgrade", folder)
    assert (code, err) == (0, ""), err
    assert "upgraded from schema 0002_dismissal" in out
    assert current_revision(engine) == head_revision()
    engine.dispose()
    (backup,) = (folder / "backups").glob("before-upgrade-0002_dismissal-*.sqlite")
    with make_engine(f"sqlite:///{backup}").connect() as conn:  # the database as it was, at its old schema
        assert current_revision(conn) == "0002_dismissal"
        assert conn.exec_driver_sql("SELECT text FROM document").scalars().all() == ["Old Zoë text"]
    with open_project(folder) as project, project.session() as s:  # now it opens, and search knows the old text
        assert [
            r.id for r in store.document_rows(session=s, annotator=ANNOTATOR, filters=store.ListFilters(search="ZOË"))
        ] == [1]
    code, out, _ = cli("upgrade", folder)
    assert code == 0 and "nothing to do" in out


def test_a_database_upgraded_by_a_newer_tagdesk_is_refused_and_left_alone(tmp_path, pg_server, cli):
    folder, url = old_shared_project(tmp_path, pg_server, revision=head_revision())
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(SchemaMismatchError, match="newer Tagdesk.*pip install --upgrade tagdesk"):
        open_project(folder)
    code, _out, err = cli("upgrade", folder)
    assert code == 1 and "newer Tagdesk" in err
    assert current_revision(engine) == "9999_future"
    assert not (folder / "backups").exists()
    engine.dispose()


def wait_for_acks(path, count: int, kids, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(decisions(read_acks(path))) < count:
        for kid in kids:
            assert kid.poll() is None, kid.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the children made too few decisions"
        time.sleep(0.02)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_two_processes_on_a_copied_project_lose_nothing_when_the_server_restarts(tmp_path, pg_server, cli, mode):
    """Created on SQLite, copied to PostgreSQL, annotated there by two processes; the server is stopped
    (`fast`: cleanly, cutting every client; `immediate`: as if it crashed) and started again mid-way."""
    folder = make_child_project(tmp_path / "proj", docs=3)
    url = pg_server.url(pg_server.create_database())
    assert cli("copy", folder, "--to", url, "--switch")[0] == 0
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    kids = [
        start_child(folder, seed, 0, out, "--docs", "3", "--slots", f"2:{seed}", "--retry")
        for seed, out in enumerate(outs)
    ]
    try:
        wait_for_acks(outs[0], 20, kids)
        wait_for_acks(outs[1], 20, kids)
        before = [len(decisions(read_acks(o))) for o in outs]
        try:
            pg_server.stop(mode)
            time.sleep(1.0)
        finally:
            pg_server.start()
        for out, n in zip(outs, before, strict=True):  # both carry on by themselves once it is back
            wait_for_acks(out, n + 20, kids)
    finally:
        for kid in kids:
            kid.terminate()
            _, err = kid.communicate(timeout=30)
            assert b"Traceback" not in err, err.decode()[-3000:]
    acks = read_acks(outs[0]) + read_acks(outs[1])
    unsaved = [a for a in acks if a["op"] == "unsaved"]
    assert unsaved, "the restart went unnoticed: the test did not cut anything"
    assert all("NOT saved" in a["message"] and "reconnects" in a["message"] for a in unsaved)
    log = check_project(folder, acks)  # every acknowledged decision is there; stored state == event log
    made = len(decisions(acks))
    assert made <= log.events <= made + len(unsaved) + 2  # + those whose commit landed as the server went away


def test_two_processes_importing_at_once_get_distinct_ids_and_every_batch(tmp_path, pg_server):
    url = pg_server.url(pg_server.create_database())
    folder = make_child_project(tmp_path / "proj", docs=1, database_url=url)
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    go = tmp_path / "go"
    kids = [start_child(folder, seed, 30, out, "--only-imports", "--go-file", str(go)) for seed, out in enumerate(outs)]
    for kid, out in zip(kids, outs, strict=True):
        while b'"ready"' not in out.read_bytes():
            assert kid.poll() is None, kid.stderr.read().decode()[-3000:]
            time.sleep(0.01)
    go.touch()
    for kid in kids:
        _, err = kid.communicate(timeout=120)
        assert kid.returncode == 0, err.decode()[-3000:]
    acks = read_acks(outs[0]) + read_acks(outs[1])
    assert sum(a["op"] == "import" for a in acks) == 60
    check_project(folder, acks)  # each batch whole (50 documents), none half there
    with open_project(folder) as project, project.session() as s:
        rows = store.document_rows(session=s, annotator=ANNOTATOR, limit=10_000)
        assert len(rows) == 1 + 60 * 50
        assert len({r.position for r in rows}) == len(rows)  # imports took turns: no position twice


def test_credentials_come_from_libpq_never_from_tagdesk_toml(tmp_path, pg_server, cli, monkeypatch):
    from tests.pgserver import PASSWORD_LOGIN

    name = pg_server.create_database()
    pg_server.sql(f"CREATE ROLE {PASSWORD_LOGIN} LOGIN PASSWORD 'secret-1' SUPERUSER")
    try:
        url = f"postgresql+psycopg://{PASSWORD_LOGIN}@/{name}?host={pg_server.socket_dir}"
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
        monkeypatch.delenv("PGPASSWORD", raising=False)
        code, _out, err = cli("new", tmp_path / "a", "--labels", "PERSON", "--database", url)
        assert code == 1 and "no password" in err and ".pgpass" in err and "never in tagdesk.toml" in err
        assert not (tmp_path / "a").exists()  # nothing half-made left behind

        passfile = tmp_path / "pgpass"
        passfile.write_text(f"*:*:{name}:{PASSWORD_LOGIN}:secret-1\n")
        passfile.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(passfile))
        code, out, err = cli("new", tmp_path / "a", "--labels", "PERSON", "--database", url)
        assert code == 0, err
        assert "secret" not in (tmp_path / "a" / CONFIG_NAME).read_text()

        service = tmp_path / "pg_service.conf"  # a service file names the server and the login instead
        service.write_text(f"[team]\nhost={pg_server.socket_dir}\ndbname={name}\nuser={PASSWORD_LOGIN}\n")
        monkeypatch.setenv("PGSERVICEFILE", str(service))
        save_config(make_config("b", ["PERSON"], database_url="postgresql+psycopg:///?service=team"), _folder(tmp_path))
        with open_project(tmp_path / "b") as project, project.session() as s:
            assert store.document_count(session=s) == 0

        with_password = f"postgresql+psycopg://{PASSWORD_LOGIN}:secret-1@/{name}?host={pg_server.socket_dir}"
        code, _out, err = cli("new", tmp_path / "c", "--labels", "PERSON", "--database", with_password)
        assert code == 1 and "holds a password" in err and "secret-1" not in err
        assert not (tmp_path / "c").exists()
    finally:
        pg_server.drop_database(name)
        pg_server.sql(f"DROP ROLE IF EXISTS {PASSWORD_LOGIN}")


def _folder(tmp_path):
    (tmp_path / "b").mkdir()
    return tmp_path / "b" / CONFIG_NAME


def test_on_a_server_the_annotator_is_the_database_login_whatever_the_settings_say(tmp_path, pg_server):
    """The login is who the server let in (its password), and what its roles are kept by: a name in tagdesk.toml
    or in the person's own settings is not used there, and the window is told so."""
    from models.project import new_project
    from models.user_settings import set_annotator
    from tests.pgserver import LOGIN

    url = pg_server.url(pg_server.create_database())
    with new_project(tmp_path / "a", ["PERSON"], database_url=url) as project:
        assert (project.annotator, project.annotator_source) == (LOGIN, "database login")
        assert project.warnings == []
    with new_project(tmp_path / "b", ["PERSON"], annotator="Zoë", database_url=url) as project:
        assert project.annotator == LOGIN
        assert any(f"you work as {LOGIN}, your database login; the name 'Zoë'" in w for w in project.warnings)
    set_annotator("Ana")
    with open_project(tmp_path / "a") as project:
        assert project.annotator == LOGIN
