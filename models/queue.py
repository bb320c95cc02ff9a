"""What comes next: the one place that says which document an annotator gets after a decision.

`order="project"`: the next pending document below the current one, wrapping round to the top.
`order="uncertain"`: the pending document whose suggestions the model is least sure of (the document's
uncertainty, from its entities' probabilities; see `models.suggest.confidence`), then unscored ones in project
order. `tagdesk queue` prints the same order the window moves in.
"""

from __future__ import annotations

from .errors import TagdeskError
from .project import Project
from .store import pending_after, uncertain_pending

ORDERS = ("project", "uncertain")


def _check(order: str) -> None:
    if order not in ORDERS:
        raise TagdeskError(f"--order {order}: choose {' or '.join(ORDERS)}")


def queue(
    project: Project,
    *,
    order: str = "project",
    limit: int = 20,
    annotator: str | None = None,
    model_key: str | None = None,
    after: int | None = None,
) -> list[int]:
    """Up to `limit` pending document ids in the order they come in. `model_key` (default: the project's
    suggestion key) names the suggestions whose uncertainty orders "uncertain"."""
    _check(order)
    who = annotator or project.annotator
    with project.session() as s:
        if order == "project":
            return pending_after(after, session=s, annotator=who, limit=limit)
    if model_key is None:
        from .suggest import model_key as key_of

        model_key = key_of(project)
    with project.session() as s:
        ids = uncertain_pending(model_key, session=s, annotator=who, limit=limit + 1)
    return [d for d in ids if d != after][:limit]


def next_document(
    project: Project,
    *,
    after: int | None,
    order: str = "project",
    annotator: str | None = None,
    model_key: str | None = None,
) -> int | None:
    """The document to show after `after` was decided, or None when nothing is pending."""
    found = queue(project, order=order, limit=1, annotator=annotator, model_key=model_key, after=after)
    return found[0] if found else None
