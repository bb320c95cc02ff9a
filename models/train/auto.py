"""Automatic retraining (INCEpTION style): train again after every `model.retrain_every` accepted documents (a
shared project setting, 0 = off), and use the new model only if it is not worse than the current one on the same
evaluation set (`TrainResult.better`).

"Accepted since the last training" counts with one function, `models.store.training.accepted_count`: each trained
version records the count it read (`documents.accepted` in its meta), and what is due is today's count minus the
newest version's (or minus the count at an attempt that failed or was cancelled, so a training that cannot succeed
yet is not started again after every decision). No Qt: the window runs `retrain_check` on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..project import Project
from ..store.training import accepted_count
from .versions import ModelVersion, latest_version


@dataclass(frozen=True)
class RetrainCheck:
    """Where automatic retraining stands: `every` (0: off), `accepted` now, `since` the newest training (or the
    last attempt), and the newest trained version."""

    every: int
    accepted: int
    since: int
    last: ModelVersion | None

    @property
    def due(self) -> bool:
        return self.every > 0 and self.since >= self.every

    def describe(self) -> str:
        """A line for the annotator: how far the next automatic training is."""
        if not self.every:
            return "Automatic retraining is off"
        left = max(0, self.every - self.since)
        when = f"retraining after {left} more" if left else "retraining now"
        docs = f"{self.since} document{'s' if self.since != 1 else ''} accepted"
        if self.last is None:
            return f"{docs}, no model trained yet; {when}"
        return f"{docs} since model {self.last.name} was trained; {when}"


def trained_count(version: ModelVersion | None) -> int:
    """The accepted-document count a version was trained at (older versions: the documents it read)."""
    if version is None:
        return 0
    docs = version.meta.get("documents") or {}
    if isinstance(docs.get("accepted"), int):
        return int(docs["accepted"])
    return sum(int(docs.get(k) or 0) for k in ("train", "eval", "conflicts"))


def retrain_check(project: Project, *, tried_at: int | None = None) -> RetrainCheck:
    """How many documents were accepted since the newest trained version (or since `tried_at`, the accepted count
    when an automatic training last started, if later) against the project's `retrain_every`. One count query."""
    every = project.config.model.retrain_every
    last = latest_version(project)
    with project.session() as s:
        accepted = accepted_count(session=s)
    base = max(trained_count(last), tried_at or 0)
    return RetrainCheck(every, accepted, max(0, accepted - base), last)
