"""`tagdesk check`: is the project's database sound, and does its event log rebuild every annotation?

Runs the database's own integrity checks, then replays the event log from empty and compares spans, status,
version, dismissals and seconds spent with the tables (`models.store.verify`). The crash tests call the same
function after every kill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .db.engine import integrity_problems
from .project import Project
from .store.verify import Verified, verify_event_log


@dataclass
class CheckReport:
    database: str
    integrity: list[str]  # what the database's own checks found ([]: sound)
    verified: Verified | None  # None when the integrity check failed (the tables cannot be trusted)

    @property
    def ok(self) -> bool:
        return not self.integrity and self.verified is not None and self.verified.difference is None

    def summary(self) -> str:
        """What a user reads: "ok" with counts, or the first problem and what to do."""
        if self.integrity:
            more = f" (and {len(self.integrity) - 1} more)" if len(self.integrity) > 1 else ""
            return (
                f"{self.database}: the database file is damaged: {self.integrity[0]}{more}. Restore it from a "
                "backup (a tagdesk.sqlite.bak-* file or the project's backups/ folder), or copy what can be read "
                "with `sqlite3 tagdesk.sqlite .recover`"
            )
        v = self.verified
        assert v is not None
        if v.difference is not None:
            return (
                f"{self.database}: the event log does not match the annotations stored: {v.difference}. "
                "Nothing was changed; keep a copy of the project (tagdesk backup) and report this"
            )
        other = sum(v.other.values())
        return (
            f"ok: {v.documents} documents, {v.annotations} annotations, {v.events} events replayed"
            + (f" ({v.superseded} older ones summed up by baselines)" if v.superseded else "")
            + (f", {other} other events" if other else "")
        )


def check_project(
    project: Project,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> CheckReport:
    """Check an open project's database and event log (reads only). With `should_stop` saying so it ends early,
    its report then covering only the documents replayed so far."""
    where = str(project.database_path or project.engine.url.render_as_string(hide_password=True))
    problems = integrity_problems(project.engine)
    if problems:
        return CheckReport(where, problems, None)
    with project.session() as session:
        verified = verify_event_log(session=session, on_progress=on_progress, should_stop=should_stop)
    return CheckReport(where, [], verified)
