"""Review mode of the window (`tagdesk open DIR --review`): the review panel beside the entities, the Review
menu, "next" going to the next document still to review, and a notice when the review is read-only for you.
The edits themselves are the session's (`AnnotationSession(review=True)` writes the gold annotation)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from models import store
from models.team import REVIEWER

from .actions import Group, make_action
from .errors import read_errors
from .widgets.review_panel import ReviewPanel

if TYPE_CHECKING:
    from .main_window import MainWindow


def install(window: MainWindow) -> ReviewPanel:
    """Put the review panel above the entities and wire it to the session."""
    s = window.session
    panel = ReviewPanel(window.colors, window)
    window.side.insertWidget(0, panel)
    window.side.setSizes([330, 290, 160])
    s.changed.connect(lambda _delta: panel.refresh())
    s.status_changed.connect(lambda _doc, _status: panel.refresh())
    s.selection_changed.connect(panel.select_key)
    s.document_opened.connect(lambda state: panel.set_document(s.proposal if state else None, state))
    panel.chosen.connect(s.pick_choice)
    panel.item_clicked.connect(s.select)
    return panel


def add_groups(window: MainWindow, groups: list[Group]) -> None:
    """Put the Review menu before View: pick an alternative of the selected difference, go to the next document
    to review."""
    s = window.session
    picks: list[QAction | None] = [
        make_action(
            window,
            f"Pick alternative {n}",
            f"Alt+{n}",
            partial(s.pick, n - 1),
            f"Put alternative {n} of the selected difference into the gold annotation",
        )
        for n in range(1, 10)
    ]
    nxt = make_action(window, "&Next document to review", ["N"], lambda: next_to_review(window))
    at = next((i for i, (title, _acts) in enumerate(groups) if title == "&View"), len(groups))
    groups.insert(at, ("&Review", [*picks, None, nxt]))


def next_to_review(window: MainWindow) -> None:
    """n: the next document still to review (the queue's review order), after the one on screen."""
    window.session.move_on(window.session.document_id)


def say_if_not_reviewer(window: MainWindow) -> None:
    """A notice when the person is not a reviewer of the project's team (the store refuses their gold edits)."""
    with read_errors(window.status.notice) as read, window.project.session() as s:
        team = store.members(session=s)
    who = window.project.annotator
    if read.failed or not team or team.get(who) == REVIEWER:
        return
    role = team.get(who)
    window.notice_bar.show_message(
        f"{who} is {'an ' + role if role else 'not a member of this team'}: only reviewers can change the gold "
        "annotation, so this review is read-only for you. A reviewer can make you one: "
        f"tagdesk team {window.project.folder} --reviewer {who}"
    )
