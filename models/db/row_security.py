"""The team's roles kept by the PostgreSQL server itself (row-level security), so that they hold whatever a
desktop runs: on a server the annotator is the database login (`current_user`), and its role is the `member`
row of that name.

The store checks roles before every write (`models/store/members.py`) and says what is allowed; these policies
make the server refuse the same writes from any program connected as an annotator's login, so nobody can act as
another annotator by editing a desktop's settings or code. What they allow, per row written:

- annotations, claims, and the spans, dismissals and notes of an annotation: the login's own (annotator =
  `current_user`); a reviewer's: anyone's (the gold annotation, other people's imports). Events likewise, by
  their annotator, and an event that names who made it (`"by"` in its payload) must name the login. Events are
  never updated.
- the team (`member`), labels and shared settings: reviewers only.
- without a team (no `member` row) everything, as the store allows; documents and suggestions: anyone.

Reading is never restricted (agreement and review read everyone's work). The tables' owner (who runs
`tagdesk upgrade`) and superusers are not subject to the policies: they administer the database. SQLite has no
logins: there the store's checks are all there is (one desktop, or a shared folder among trusted people).
"""

from __future__ import annotations

from sqlalchemy import Connection

from .dialect import is_postgresql

# The tables whose writes depend on whose annotation a row is (column naming the annotator or the annotation).
BY_ANNOTATOR = ("annotation", "claim")
BY_ANNOTATION = ("span", "dismissal", "note")
MANAGED = ("member", "label", "setting")  # reviewers' tables
MAY_WRITE = "tagdesk_may_write"
MAY_MANAGE = "tagdesk_may_manage"
MAY_WRITE_ANNOTATION = "tagdesk_may_write_annotation"
REFUSED = "row-level security"  # in the server's message when a policy refused a row


def _functions(schema: str) -> list[str]:
    """The policies' tests. The tables are named with their schema: a login's own temporary table called
    `member` must not stand in for the team."""
    member = f"{schema}.member"
    annotation = f"{schema}.annotation"
    return [
        f"""CREATE OR REPLACE FUNCTION {schema}.{MAY_WRITE}(who text) RETURNS boolean LANGUAGE sql STABLE AS $$
            SELECT NOT EXISTS (SELECT 1 FROM {member})
                OR EXISTS (SELECT 1 FROM {member} m
                           WHERE m.name = current_user AND (m.role = 'reviewer' OR m.name = who))
        $$""",
        f"""CREATE OR REPLACE FUNCTION {schema}.{MAY_WRITE_ANNOTATION}(ann integer) RETURNS boolean
            LANGUAGE sql STABLE AS $$
            SELECT {schema}.{MAY_WRITE}((SELECT a.annotator FROM {annotation} a WHERE a.id = ann))
        $$""",
        f"""CREATE OR REPLACE FUNCTION {schema}.{MAY_MANAGE}() RETURNS boolean LANGUAGE sql STABLE AS $$
            SELECT NOT EXISTS (SELECT 1 FROM {member})
                OR EXISTS (SELECT 1 FROM {member} m WHERE m.name = current_user AND m.role = 'reviewer')
        $$""",
    ]


def _policies(schema: str) -> list[str]:
    may = f"{schema}.{MAY_WRITE}"
    out: list[str] = []

    def table(name: str, write: str) -> None:
        out.append(f"ALTER TABLE {schema}.{name} ENABLE ROW LEVEL SECURITY")
        out.append(f"CREATE POLICY tagdesk_read ON {schema}.{name} FOR SELECT USING (true)")
        out.append(f"CREATE POLICY tagdesk_write ON {schema}.{name} FOR ALL USING ({write}) WITH CHECK ({write})")

    for name in BY_ANNOTATOR:
        table(name, f"{may}(annotator)")
    for name in BY_ANNOTATION:
        table(name, f"{schema}.{MAY_WRITE_ANNOTATION}(annotation_id)")
    for name in MANAGED:
        table(name, f"{schema}.{MAY_MANAGE}()")
    # events: appended and (a half-done import) removed, never changed; "by" is the login's own name
    out.append(f"ALTER TABLE {schema}.event ENABLE ROW LEVEL SECURITY")
    out.append(f"CREATE POLICY tagdesk_read ON {schema}.event FOR SELECT USING (true)")
    out.append(
        f"CREATE POLICY tagdesk_append ON {schema}.event FOR INSERT WITH CHECK "
        f"({may}(annotator) AND coalesce(payload->>'by', current_user) = current_user)"
    )
    out.append(f"CREATE POLICY tagdesk_remove ON {schema}.event FOR DELETE USING ({may}(annotator))")
    return out


def _schema(conn: Connection) -> str:
    name = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(conn.dialect.identifier_preparer.quote(str(name)))


def enable_row_security(conn: Connection) -> None:
    """Create the policies (PostgreSQL; nothing on SQLite), in the caller's transaction (a migration)."""
    if not is_postgresql(conn):
        return
    schema = _schema(conn)
    for statement in [*_functions(schema), *_policies(schema)]:
        conn.exec_driver_sql(statement)


def disable_row_security(conn: Connection) -> None:
    """Drop the policies and their functions (the migration's downgrade)."""
    if not is_postgresql(conn):
        return
    schema = _schema(conn)
    for name in (*BY_ANNOTATOR, *BY_ANNOTATION, *MANAGED, "event"):
        for policy in ("tagdesk_read", "tagdesk_write", "tagdesk_append", "tagdesk_remove"):
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {policy} ON {schema}.{name}")
        conn.exec_driver_sql(f"ALTER TABLE {schema}.{name} DISABLE ROW LEVEL SECURITY")
    for fn in (f"{MAY_WRITE_ANNOTATION}(integer)", f"{MAY_WRITE}(text)", f"{MAY_MANAGE}()"):
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.{fn}")
