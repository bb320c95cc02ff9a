"""File → Team, through its widgets: the first member is a reviewer, roles change, a member is removed (their
annotations stay), and an annotator is refused with the store's message; the team is what `tagdesk team` shows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from models import store
from models.team import ANNOTATOR, REVIEWER


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def team_of(project):
    with project.session() as s:
        return store.members(session=s)


def test_building_a_team_from_the_window(make_window, qtbot, monkeypatch, cli):
    w = make_window(["One.", "Two."])
    me = w.project.annotator
    act = next(a for a in w.actions() if a.text() == "&Team…")
    act.trigger()
    from desktop.dialogs.team_dialog import TeamDialog

    dialog = next(d for d in w.findChildren(TeamDialog) if d.isVisible())
    qtbot.addWidget(dialog)
    assert "No team" in dialog.about.text() and f"add yourself ({me})" in dialog.about.text()
    answers = iter(["bob"])
    monkeypatch.setattr(dialog, "ask_name", lambda _t, _p, value="": value or next(answers))
    click(qtbot, dialog.buttons["Add an annotator…"])  # asks with the user's own name first: refused
    assert "reviewer" in dialog.error.text() and team_of(w.project) == {}
    click(qtbot, dialog.buttons["Add a reviewer…"])
    assert team_of(w.project) == {me: REVIEWER} and dialog.table.item(0, 0).text() == f"{me} (you)"
    click(qtbot, dialog.buttons["Add an annotator…"])
    assert team_of(w.project) == {me: REVIEWER, "bob": ANNOTATOR}
    # bob is selected after being added: make him a reviewer, then remove him
    assert dialog.selected() == "bob" and dialog.buttons["Make reviewer"].isEnabled()
    click(qtbot, dialog.buttons["Make reviewer"])
    assert team_of(w.project)["bob"] == REVIEWER
    click(qtbot, dialog.buttons["Remove"])
    assert team_of(w.project) == {me: REVIEWER}
    code, out, _err = cli("team", w.project.folder, "--json")
    assert code == 0 and f'"{me}": "reviewer"' in out
    # made an annotator by someone else, the user may no longer change the team
    with w.project.writing() as s:
        store.change_team(session=s, add=[("rita", REVIEWER)])
    with w.project.writing() as s:
        store.change_team(session=s, add=[(me, ANNOTATOR)])
    dialog.refresh()
    assert "Only a reviewer changes the team" in dialog.about.text()
    dialog._select("rita")
    click(qtbot, dialog.buttons["Remove"])
    assert "reviewer" in dialog.error.text() and "rita" in team_of(w.project)
