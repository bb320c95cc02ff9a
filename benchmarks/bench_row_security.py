"""What the server's row security (migration 0011_row_security) costs a team's logins, side by side with the
tables' owner, whom the policies do not apply to, on the same throwaway server (fsync on):

    python -m benchmarks row_security [--docs 20000] [--spans 5] [--n 300]

Import: `add_documents` of annotated documents (alice's annotations, imported by a reviewer's login: every
annotation, span and event row passes its policy) against the same import by the owner, each into a fresh
database with the same team. Decision: `store.add_span` on one's own annotation (the window's path, one commit
each) by an annotator's login against the owner. Median of rounds; compare only figures from one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

TEXT = " ".join(f"w{k:03d}" for k in range(120))


def _database(server, template: str, logins: list[str]) -> str:
    from tests.pgserver import TEAM_GRANTS

    name = server.create_database(template=template)
    for login in logins:
        for grant in TEAM_GRANTS:
            server.sql(grant.format(login=f'"{login}"'), database=name)
    return name


def _import(url: str, user: str, docs: int, spans: int) -> float:
    from models import store
    from models.db.engine import make_engine

    batch = [
        store.NewDocument(
            text=f"{i} {TEXT}",
            spans=[(len(str(i)) + 1 + 5 * k, len(str(i)) + 5 + 5 * k, "PERSON") for k in range(spans)],
            status="accepted",
            annotator="alice",
        )
        for i in range(docs)
    ]
    engine = make_engine(url)
    try:
        t0 = time.perf_counter()
        with store.writing(engine, user=user) as s:
            store.add_documents(batch, session=s, annotator="alice")
        return time.perf_counter() - t0
    finally:
        engine.dispose()


def _decisions(url: str, user: str, n: int) -> float:
    from models import store
    from models.db.engine import make_engine

    engine = make_engine(url)
    try:
        with store.writing(engine, user=user) as s:
            store.add_documents([store.NewDocument(text=TEXT)], session=s, annotator=user)
        times = []
        for k in range(n):
            t0 = time.perf_counter()
            with store.writing(engine, user=user) as s:
                store.add_span(1, 5 * (k % 100), 5 * (k % 100) + 4, "PERSON", session=s, annotator=user)
            times.append(time.perf_counter() - t0)
            if k % 100 == 99:
                with store.writing(engine, user=user) as s:  # free the slots again (not timed)
                    for sp in store.spans_of(1, session=s, annotator=user):
                        store.remove_span(sp.id, session=s, annotator=user)
        return statistics.median(times) * 1000
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="bench_row_security")
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--spans", type=int, default=5)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    from models import store
    from models.db.engine import make_engine, upgrade_database
    from tests.pgserver import LOGIN, PgServer, find_binaries

    bindir = find_binaries()
    if bindir is None:
        raise SystemExit("no PostgreSQL binaries (Debian: apt-get install postgresql)")
    server = PgServer(bindir, durable=True)
    try:
        server.init()
        server.start()
        template = server.create_database("bench_template")
        engine = make_engine(server.url(template))
        upgrade_database(engine)
        with store.writing(engine) as s:
            store.change_team(
                session=s, add=[(LOGIN, "reviewer"), ("rita", "reviewer"), ("alice", "annotator"), ("bob", "annotator")]
            )
        engine.dispose()
        server.mark_template(template)
        for login in ("rita", "bob"):
            server.sql(f'CREATE ROLE "{login}" LOGIN')
        imports: dict[str, list[float]] = {"owner": [], "reviewer": []}
        decisions: dict[str, list[float]] = {"owner": [], "annotator": []}
        with tempfile.TemporaryDirectory():
            for _round in range(args.rounds):
                for who, login in (("owner", LOGIN), ("reviewer", "rita")):
                    name = _database(server, template, ["rita", "bob"])
                    imports[who].append(_import(server.url(name, login=login), login, args.docs, args.spans))
                    server.drop_database(name)
                for who, login in (("owner", LOGIN), ("annotator", "bob")):
                    name = _database(server, template, ["rita", "bob"])
                    decisions[who].append(_decisions(server.url(name, login=login), login, args.n))
                    server.drop_database(name)
        own, rls = statistics.median(imports["owner"]), statistics.median(imports["reviewer"])
        rows = args.docs * (2 + args.spans)
        print(
            f"import of {args.docs:,} annotated documents ({rows:,} rows): owner {own:.2f} s, "
            f"reviewer's login {rls:.2f} s  -> row security costs x{rls / own:.2f}"
        )
        own_ms, rls_ms = statistics.median(decisions["owner"]), statistics.median(decisions["annotator"])
        print(
            f"one decision (add_span, commit): owner {own_ms:.2f} ms, annotator's login {rls_ms:.2f} ms "
            f"-> x{rls_ms / own_ms:.2f}"
        )
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
