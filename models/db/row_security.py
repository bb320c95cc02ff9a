"""The team's roles kept by the PostgreSQL server itself (row-level security), so that they hold whatever a
desktop runs: on a server the annotator is the database login (`current_user`), and its role is the `member`
row of that name.

The store checks roles before every write (`models/store/members.py`) and says what is allowed; these policies
make the server refuse the same writes from any program connected as an annotator's login, so nobody can act as
another annotator by editing a desktop's settings or code. What they allow, per row written:

- annotations, claims, and the spans, dismissals and notes of an annotation: the login's own (annotator =
  `current_user`); a reviewer's: anyone's (the gold annotation, other people's imports). Events likewise, by
  their annotator, and an event that names who made it (`"by"` in its payload) must name the login. Events are
  never updated. The rows of an import that never published may be removed by anyone (the store removes a dead
  import's rows when the project opens next, on whoever's desktop that is).
- the team (`member`), labels and shared settings: reviewers only.
- without a team (no `member` row) everything, as the store allows; documents and suggestions: anyone.

Reading is never restricted (agreement and review read everyone's work). The tables' owner (who runs
`tagdesk upgrade`) and superusers are not subject to the policies: they administer the database. SQLite has no
logins: there the store's checks are all there is (one desktop, or a shared folder among trusted people).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from .dialect import is_postgresql

# The tables whose writes depend on whose annotation a row is (column naming the annotator or the annotation).
BY_ANNOTATOR = ("annotation", "claim")
BY_ANNOTATION = ("span", "dismissal", "note")
MANAGED = ("member", "label", "setting")  # reviewers' tables


def _conditions(schema: str) -> tuple[str, str]:
    """The policies' tests, as SQL over a row: (may write the annotation of the annotator named by `{who}`, may
    manage the project). The team's table is named with its schema: a login's own temporary table
    called `member` must not stand in for it. The parts that do not depend on the row (no team; the login is a
    reviewer; the login is a member) are computed once per statement, so a reviewer's bulk import costs little."""
    member = f"{schema}.member"
    no_team = f"NOT EXISTS (SELECT 1 FROM {member})"
    reviewer = f"EXISTS (SELECT 1 FROM {member} m WHERE m.name = current_user AND m.role = 'reviewer')"
    is_member = f"EXISTS (SELECT 1 FROM {member} m WHERE m.name = current_user)"
    may_write = f"({no_team} OR {reviewer} OR (({{who}}) = current_user AND {is_member}))"
    return may_write, f"({no_team} OR {reviewer})"


def _policies(schema: str) -> list[str]:
    may_write, may_manage = _conditions(schema)
    owner = f"(SELECT a.annotator FROM {schema}.annotation a WHERE a.id = annotation_id)"
    document = f"(SELECT a.document_id FROM {schema}.annotation a WHERE a.id = annotation_id)"
    # the rows of an import that never published (its process died) are removed by whoever opens the project next
    unpublished = (
        f"EXISTS (SELECT 1 FROM {schema}.document d JOIN {schema}.import_run r ON r.id = d.import_id "
        "WHERE d.id = {doc} AND r.running IS NOT NULL)"
    )
    out: list[str] = []

    def table(name: str, write: str, removable: str | None = None) -> None:
        # one policy per command: reading a table applies only its read policy, so the team's table can be
        # read inside its own write policies (a FOR ALL policy would recurse)
        remove = f"({write} OR {removable})" if removable else write
        out.append(f"ALTER TABLE {schema}.{name} ENABLE ROW LEVEL SECURITY")
        out.append(f"CREATE POLICY tagdesk_read ON {schema}.{name} FOR SELECT USING (true)")
        out.append(f"CREATE POLICY tagdesk_insert ON {schema}.{name} FOR INSERT WITH CHECK ({write})")
        out.append(f"CREATE POLICY tagdesk_update ON {schema}.{name} FOR UPDATE USING ({write}) WITH CHECK ({write})")
        out.append(f"CREATE POLICY tagdesk_delete ON {schema}.{name} FOR DELETE USING ({remove})")

    for name in BY_ANNOTATOR:
        table(name, may_write.format(who="annotator"), unpublished.format(doc="document_id"))
    for name in BY_ANNOTATION:
        table(name, may_write.format(who=owner), unpublished.format(doc=document))
    for name in MANAGED:
        table(name, may_manage)
    # events: appended and removed (with a half-done import), never changed; "by" is the login's own name
    by_event = may_write.format(who="annotator")
    out.append(f"ALTER TABLE {schema}.event ENABLE ROW LEVEL SECURITY")
    out.append(f"CREATE POLICY tagdesk_read ON {schema}.event FOR SELECT USING (true)")
    out.append(
        f"CREATE POLICY tagdesk_append ON {schema}.event FOR INSERT WITH CHECK "
        f"({by_event} AND coalesce(payload->>'by', current_user) = current_user)"
    )
    removable = unpublished.format(doc="document_id")
    out.append(f"CREATE POLICY tagdesk_remove ON {schema}.event FOR DELETE USING ({by_event} OR {removable})")
    return out


def logins_missing(conn: Connection, names: list[str]) -> list[str]:
    """Of `names`, those that are no login on this server (a team member there must be one); [] on SQLite."""
    if not is_postgresql(conn) or not names:
        return []
    rows = conn.execute(
        text("SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname = ANY(:names)"), {"names": list(names)}
    )
    found = {str(r[0]) for r in rows}
    return [n for n in names if n not in found]


def _schema(conn: Connection) -> str:
    name = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(conn.dialect.identifier_preparer.quote(str(name)))


def enable_row_security(conn: Connection) -> None:
    """Create the policies (PostgreSQL; nothing on SQLite), in the caller's transaction (a migration)."""
    if not is_postgresql(conn):
        return
    for statement in _policies(_schema(conn)):
        conn.exec_driver_sql(statement)


def disable_row_security(conn: Connection) -> None:
    """Drop the policies (the migration's downgrade)."""
    if not is_postgresql(conn):
        return
    schema = _schema(conn)
    for name in (*BY_ANNOTATOR, *BY_ANNOTATION, *MANAGED, "event"):
        for policy in (
            "tagdesk_read",
            "tagdesk_insert",
            "tagdesk_update",
            "tagdesk_delete",
            "tagdesk_append",
            "tagdesk_remove",
        ):
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {policy} ON {schema}.{name}")
        conn.exec_driver_sql(f"ALTER TABLE {schema}.{name} DISABLE ROW LEVEL SECURITY")
