"""Looking into a project's database from outside Tagdesk, on either backend: a separate raw connection
(sqlite3 or psycopg), so what it sees is what was committed."""

from __future__ import annotations

import sqlite3


def raw_rows(project, sql: str) -> list[tuple]:
    """Rows of `sql` read through a new driver connection to the project's database."""
    url = project.engine.url
    if url.get_backend_name() == "sqlite":
        con = sqlite3.connect(url.database)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    import psycopg
    from psycopg.types.string import TextLoader

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as con:
        con.adapters.register_loader("json", TextLoader)  # JSON as stored text, as sqlite3 returns it
        return [tuple(r) for r in con.execute(sql).fetchall()]


def table_dump(project, tables=("document", "annotation", "span", "suggestion", "event", "dismissal")) -> list:
    """Every row of the project's tables, in id order: compare before and after something that must not
    change anything."""
    return [raw_rows(project, f"SELECT * FROM {t} ORDER BY id") for t in tables]


def integrity_problems(project) -> list[str]:
    """What the backend's own checks find wrong with the project's database ([] when sound): SQLite's
    integrity_check and foreign_key_check; on PostgreSQL, rows whose foreign key points nowhere."""
    url = project.engine.url
    if url.get_backend_name() == "sqlite":
        problems = [r[0] for r in raw_rows(project, "PRAGMA integrity_check") if r[0] != "ok"]
        return problems + [str(r) for r in raw_rows(project, "PRAGMA foreign_key_check")]
    checks = {
        "span without annotation": "SELECT count(*) FROM span s LEFT JOIN annotation a ON a.id = s.annotation_id "
        "WHERE a.id IS NULL",
        "annotation without document": "SELECT count(*) FROM annotation a LEFT JOIN document d "
        "ON d.id = a.document_id WHERE d.id IS NULL",
        "document missing from the search index": "SELECT count(*) FROM document d LEFT JOIN document_search s "
        "ON s.document_id = d.id WHERE s.document_id IS NULL",
    }
    return [f"{what}: {n}" for what, sql in checks.items() if (n := raw_rows(project, sql)[0][0])]


def rows_by_table(engine) -> dict[str, list[tuple]]:
    """Every row of every Tagdesk table, read through the table classes (so values compare across backends:
    aware UTC times, parsed JSON), in primary key order."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    import models.db.tables  # noqa: F401  (registers the tables)

    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out
