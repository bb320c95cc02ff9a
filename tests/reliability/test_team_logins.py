"""On a PostgreSQL server the annotator is the database login, and the server keeps the team's roles by it:
real logins (no superuser) on the test server, each with its own project folder, as a team sets them up."""

from __future__ import annotations

import json

import psycopg
import pytest

from models import store
from models.config import CONFIG_NAME, ConfigFile, ProjectSection, save_config
from models.errors import DatabaseError
from models.project import new_project, open_project
from models.store.members import NotAllowedError
from models.team import GOLD
from models.user_settings import set_annotator

pytestmark = pytest.mark.slow
TEXTS = ["Li Qiang met Vladimir Putin in Moscow.", "Apple hired Tim Cook in Cupertino today."]


@pytest.fixture
def team(tmp_path, pg_server, cli):
    """A project on the server made by its owner (the test server's superuser), three logins (alice and bob
    annotate, rita reviews, as `tagdesk team` recorded), and a project folder for each of them."""
    name = pg_server.create_database(template=pg_server.template)
    with new_project(tmp_path / "owner", ["PERSON", "ORG", "GPE"], database_url=pg_server.url(name)) as project:
        with project.writing() as s:
            store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    assert cli("team", tmp_path / "owner", "--reviewer", "rita", "--add", "alice", "--add", "bob")[0] == 0
    folders = {}
    for login in ("alice", "bob", "rita", "carol"):  # carol has a login but is not in the team
        url = pg_server.create_login(login, name)
        folder = tmp_path / login
        folder.mkdir()
        save_config(ConfigFile(project=ProjectSection(name="team", database_url=url)), folder / CONFIG_NAME)
        folders[login] = folder
    yield folders
    pg_server.drop_database(name)
    for login in folders:
        pg_server.sql(f'DROP ROLE IF EXISTS "{login}"')


def raw(pg_server, folder, sql: str):
    """One statement through the login's own plain connection (what any program of that desktop can send)."""
    with open_project(folder) as project:
        conninfo = project.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.rowcount


def test_the_annotator_is_the_login_whatever_the_settings_say(team, tmp_path):
    folder = team["alice"]
    save_config(
        ConfigFile(project=ProjectSection(name="team", annotator="bob", database_url=_url(folder))),
        folder / CONFIG_NAME,
    )
    set_annotator("bob")  # and in her own settings file too
    with open_project(folder) as project:
        assert (project.annotator, project.annotator_source) == ("alice", "database login")
        assert any("you work as alice, your database login; the name 'bob'" in w for w in project.warnings)
        with project.writing() as s:
            store.set_status(
                1, "accepted", session=s, annotator=project.annotator, add_spans=[(0, 8, "PERSON", "human", None)]
            )
        with pytest.raises(NotAllowedError, match="alice is an annotator and may change only their own"):
            with project.writing() as s:  # the window and the commands would say who may
                store.add_span(1, 0, 8, "PERSON", session=s, annotator="bob")
    with open_project(team["bob"]) as project, project.session() as s:
        assert project.annotator == "bob"
        assert [(x.start, x.end) for x in store.spans_of(1, session=s, annotator="alice")] == [(0, 8)]  # he reads hers
        assert store.get_annotation(1, session=s, annotator="bob") is None


def _url(folder):
    from models.config import load_config

    return load_config(folder / CONFIG_NAME).project.database_url


def test_the_server_refuses_what_the_role_does_not_allow_even_past_the_stores_checks(team, pg_server):
    """A desktop that skips the store's checks (an unchecked session, plain SQL) still cannot write as someone
    else: the server's row security refuses it, and says why."""
    with open_project(team["bob"]) as project, project.writing() as s:
        store.set_status(1, "accepted", session=s, annotator="bob", add_spans=[(0, 5, "ORG", "human", None)])
    with open_project(team["alice"]) as project:
        for write in (
            lambda s: store.add_span(2, 0, 5, "ORG", session=s, annotator="bob"),
            lambda s: store.set_status(2, "accepted", session=s, annotator=GOLD),
            lambda s: store.change_team(session=s, add=[("alice", "reviewer")]),
        ):
            with pytest.raises(DatabaseError, match="the server refused this change: your login may write only"):
                with store.writing(project.engine) as s:  # no acting person: the store checks nothing
                    write(s)
        with store.writing(project.engine) as s:
            store.add_span(2, 0, 5, "ORG", session=s, annotator="alice")  # her own: allowed
    # plain SQL changes nothing that is not hers
    assert raw(pg_server, team["alice"], "UPDATE annotation SET status = 'rejected' WHERE annotator = 'bob'") == 0
    assert (
        raw(
            pg_server,
            team["alice"],
            "DELETE FROM span WHERE annotation_id IN (SELECT id FROM annotation WHERE annotator = 'bob')",
        )
        == 0
    )
    assert raw(pg_server, team["alice"], "UPDATE member SET role = 'reviewer' WHERE name = 'alice'") == 0
    assert raw(pg_server, team["alice"], "DELETE FROM event WHERE annotator = 'bob'") == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        raw(pg_server, team["alice"], "INSERT INTO label (name, color, key, position) VALUES ('X', '#000000', '', 9)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):  # "by" is never forged
        raw(
            pg_server,
            team["alice"],
            "INSERT INTO event (at, annotator, document_id, action, payload) "
            """VALUES (now(), 'alice', 2, 'add_span', '{"by": "rita"}')""",
        )
    with open_project(team["rita"]) as project, project.session() as s:
        assert [(x.start, x.end, x.label) for x in store.spans_of(1, session=s, annotator="bob")] == [(0, 5, "ORG")]
        assert store.members(session=s)["alice"] == "annotator"


def test_a_reviewer_login_settles_the_gold_and_is_recorded_as_its_reviewer(team, cli):
    for login, spans in (("alice", [(0, 8, "PERSON")]), ("bob", [(0, 8, "PERSON"), (31, 37, "GPE")])):
        with open_project(team[login]) as project, project.writing() as s:
            store.set_status(1, "accepted", session=s, annotator=login, add_spans=[(*x, "human", None) for x in spans])
    with open_project(team["rita"]) as project, project.writing() as s:
        store.set_status(1, "accepted", session=s, annotator=GOLD, add_spans=[(0, 8, "PERSON", "human", None)])
    data = json.loads(cli("agreement", team["bob"], "--json")[1])
    assert data["reviewed"]["reviewers"] == {"rita": 1}
    with open_project(team["alice"]) as project:  # an annotator may not
        with pytest.raises(NotAllowedError, match="not the gold"), project.writing() as s:
            store.set_status(2, "accepted", session=s, annotator=GOLD)


def test_a_login_outside_the_team_reads_but_writes_nothing(team):
    with open_project(team["carol"]) as project:
        assert project.annotator == "carol"
        with project.session() as s:
            assert store.document_count(session=s) == 2
        with pytest.raises(NotAllowedError, match="carol is not a member"), project.writing() as s:
            store.add_span(1, 0, 8, "PERSON", session=s, annotator="carol")
        with pytest.raises(DatabaseError, match="server refused"), store.writing(project.engine) as s:
            store.add_span(1, 0, 8, "PERSON", session=s, annotator="carol")


def test_whoami_names_the_login_and_its_role_and_team_says_when_a_member_has_no_login(team, cli):
    code, out, err = cli("whoami", team["alice"])
    assert code == 0, err
    assert out.splitlines()[:2] == ["alice (from your database login)", "role: annotator"]
    assert cli("whoami", team["carol"])[1].splitlines()[1] == "not in this project's team"
    code, out, err = cli("team", team["rita"], "--add", "dave", "--add", "carol")  # the reviewer, as her login
    assert code == 0 and "dave: annotator" in out
    assert "note: dave is no login on this server yet" in err and "carol" not in err


def test_team_logins_import_annotated_files(team, cli, tmp_path):
    """The server allows no COPY into tables whose row security applies to the login: an annotator's import of
    her own work and a reviewer's of everyone's still go in whole (staged, then checked row by row)."""
    mine = tmp_path / "alice.jsonl"
    mine.write_text(
        json.dumps({"text": "Alice met Bob in Paris.", "label": [[0, 5, "PERSON"], [17, 22, "GPE"]]}) + "\n"
    )
    code, out, err = cli("import", team["alice"], mine)
    assert code == 0, err
    theirs = tmp_path / "team.jsonl"
    theirs.write_text(
        "".join(
            json.dumps({"text": TEXTS[0], "spans": [{"start": 0, "end": 8, "label": "PERSON"}], "_annotator_id": who})
            + "\n"
            for who in ("ds-alice", "ds-bob")
        )
    )
    code, _out, err = cli("import", team["alice"], theirs)
    assert code == 1 and "alice is an annotator" in err
    code, out, err = cli("import", team["rita"], theirs)
    assert code == 0 and "annotators: ds-alice, ds-bob" in out, err
    with open_project(team["bob"]) as project, project.session() as s:
        assert [(x.start, x.end) for x in store.spans_of(3, session=s, annotator="alice")] == [(0, 5), (17, 22)]
        assert len(store.spans_of(1, session=s, annotator="ds-bob")) == 1


def test_an_annotators_import_stores_each_length_in_code_points(team, cli, tmp_path):
    """As a team member's login (not the tables' owner), with her annotations staged (no COPY under row security):
    every document's length is stored, in code points."""
    texts = ["Zoë met 東京の山田太郎 😀 and 👩‍👩‍👧.", "e\u0301te\u0301 a\u0300 Gene\u0300ve"]
    path = tmp_path / "hers.jsonl"
    path.write_text(
        "".join(json.dumps({"text": t, "label": [[0, 3, "PERSON"]]}, ensure_ascii=False) + "\n" for t in texts),
        encoding="utf-8",
    )
    code, _out, err = cli("import", team["alice"], path)
    assert code == 0, err
    with open_project(team["alice"]) as project, project.session() as s:
        rows = store.document_rows(session=s, annotator="alice")
        found = {store.get_document(r.id, session=s).text: store.text_length(r.id, session=s) for r in rows}
    assert {t: found[t] for t in texts} == {texts[0]: 28, texts[1]: 16}
    assert all(length == len(t) for t, length in found.items())


def test_an_import_that_died_is_removed_by_the_next_login_to_open_whoever_it_is(team, pg_server):
    """bob's import died unpublished (its rows hidden, its process gone): alice, an annotator, opens the project
    next, and its rows go, bob's annotations and events with them, though she could not remove bob's work."""
    with open_project(team["bob"]) as project, project.writing() as s:
        store.add_documents(
            [store.NewDocument(text="Half an import.", spans=[(0, 4, "ORG")], status="accepted")],
            session=s,
            annotator="bob",
        )
    with open_project(team["rita"]) as project:
        name = project.engine.url.database  # the owner's SQL below goes to the same database
    pg_server.sql(
        "INSERT INTO import_run (source, annotator, started_at, heartbeat_at, running, host, pid) "
        "VALUES ('half.jsonl', 'bob', now() - interval '1 hour', now() - interval '1 hour', 1, 'gone', 1)",
        database=name,
    )
    pg_server.sql(
        "UPDATE document SET import_id = (SELECT max(id) FROM import_run) WHERE text = 'Half an import.'",
        database=name,
    )
    with open_project(team["alice"]) as project, project.session() as s:
        assert store.document_count(session=s) == 2
    left = pg_server.sql(
        "SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM annotation WHERE annotator = 'bob'), "
        "(SELECT count(*) FROM import_run WHERE running IS NOT NULL)",
        database=name,
    )
    assert left == [(2, 0, 0)]
