"""The window on a PostgreSQL project whose server is stopped and started again: the edit made meanwhile is
refused as NOT saved (and is not stored), the window says the server is away, and carries on by itself once it
is back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.desktop.helpers import press, settle, status, stored

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI = (16, 24)
MOSCOW = (47, 53)


@pytest.fixture
def server_window(make_window, make_project, pg_server):
    from models import store

    project = make_project(database_url=pg_server.url(pg_server.create_database()))
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=TEXT), store.NewDocument(text="Second.")], session=s)
    window = make_window(None, project=project)
    window.connection._timer.setInterval(200)  # ask the server often: the test waits for the answer
    return window


def test_an_edit_while_the_server_is_stopped_is_not_saved_and_the_window_reconnects(server_window, qtbot, pg_server):
    w = server_window
    assert w.project.engine.dialect.name == "postgresql"
    w.session.active_label = "PERSON"
    w.session.draw_span(*LI)  # a first edit, saved
    settle(w)
    assert stored(w) == [(*LI, "PERSON", "human")]
    try:
        pg_server.stop("fast")
        with qtbot.waitSignal(w.session.message, timeout=20_000) as said:
            w.session.draw_span(*MOSCOW)  # the same drag a user makes, while the server is away
        settle(w)
        assert "NOT saved" in said.args[0] and "cannot be reached" in said.args[0]
        qtbot.waitUntil(lambda: w.connection.offline and w.notice_bar.isVisible(), timeout=5_000)
        assert "NOT saved" in w.notice_bar.label.text()  # the watch's notice, or the refused edit's whole message
        assert [i.key for i in w.session.state.spans] == [("span", *LI)]  # the window does not show it as done
        assert w.session.undo.count() == 1
    finally:
        pg_server.start()
    qtbot.waitUntil(lambda: not w.connection.offline, timeout=20_000)
    assert "Connected to the database server again" in w.notice_bar.label.text()
    assert stored(w) == [(*LI, "PERSON", "human")]  # nothing of the refused edit reached the database
    w.session.active_label = "GPE"
    w.session.draw_span(*MOSCOW)  # and the next edit is saved, with no restart of the window
    settle(w)
    assert stored(w) == [(*LI, "PERSON", "human"), (*MOSCOW, "GPE", "human")]
    press(qtbot, w, Qt.Key.Key_A)  # accept the document: a decision through the reconnected pool
    assert status(w) == "accepted"
