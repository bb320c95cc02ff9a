"""The window's actions and menus: File, Edit, Document, Labels, Model, View, Help (and Review in review mode,
`desktop/review_mode.py`).

Each action calls one method of the session, the window or the application (`desktop.app`): this module only
names them, gives them keys and puts them in menus, so the window stays wiring. The F1 dialog lists the same
groups, so every key a menu shows is listed there too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from models.db.tables import Status

if TYPE_CHECKING:
    from .main_window import MainWindow

Group = tuple[str, list[QAction | None]]
THRESHOLDS = (0.0, 0.3, 0.5, 0.7)  # View menu: hide suggestions the model is less sure of


def make_action(
    window: MainWindow, text: str, keys: list[str] | str, slot: Callable[[], object], tip: str = ""
) -> QAction:
    action = QAction(text, window)
    action.setShortcuts([QKeySequence(k) for k in ([keys] if isinstance(keys, str) else keys)])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def label_actions(window: MainWindow) -> list[QAction]:
    """One action per label with its key: the active label, or relabel the selection."""
    s = window.session
    return [
        make_action(
            window,
            f"Label {lab.name}",
            lab.key or [],
            partial(s.label_key, i),
            f"With an entity selected: relabel it as {lab.name}; otherwise make {lab.name} the active label",
        )
        for i, lab in enumerate(window.project.config.labels)
    ]


def build_groups(window: MainWindow) -> list[Group]:
    from .app import controller

    s, a, app = window.session, make_action, controller()
    # Undo and redo go through the session's writer like every edit (they wait for a decision being saved).
    undo = a(window, "&Undo", ["Ctrl+Z"], s.undo_last)
    redo = a(window, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], s.redo_next)
    for act, can, text_changed, name in (
        (undo, s.undo.canUndoChanged, s.undo.undoTextChanged, "&Undo"),
        (redo, s.undo.canRedoChanged, s.undo.redoTextChanged, "&Redo"),
    ):
        act.setEnabled(False)
        can.connect(act.setEnabled)
        text_changed.connect(lambda t, act=act, name=name: act.setText(f"{name} {t}" if t else name))
    window.act_theme_light = a(window, "&Light theme", [], lambda: window.set_theme("light"))
    window.act_theme_dark = a(window, "&Dark theme", [], lambda: window.set_theme("dark"))
    for act in (window.act_theme_light, window.act_theme_dark):
        act.setCheckable(True)
    window.recent_menu = QMenu("Open &recent", window)
    window.recent_menu.aboutToShow.connect(lambda: app.fill_recent_menu(window.recent_menu))
    window.act_accept = a(window, "&Accept document and next", ["A"], lambda: s.decide(Status.accepted.value))
    window.act_reject = a(window, "&Reject document and next", ["X"], lambda: s.decide(Status.rejected.value))
    window.act_ignore = a(window, "&Ignore document and next", ["Space"], lambda: s.decide(Status.ignored.value))
    window.act_back = a(window, "&Back to the previous decision", ["Backspace"], s.back)
    window.act_guidelines = a(window, "&Guidelines", ["F2"], window.toggle_guidelines, "Show or hide the guidelines")
    window.act_documents = a(window, "Document &list", ["F6"], lambda: window.toggle_panel(0))
    window.act_entities = a(window, "&Entities and note", ["F7"], lambda: window.toggle_panel(2))
    for act in (window.act_guidelines, window.act_documents, window.act_entities):
        act.setCheckable(True)
    window.label_group_actions = label_actions(window)
    window.threshold_actions = QActionGroup(window)
    for t in THRESHOLDS:
        act = a(
            window,
            "Show &all suggestions" if not t else f"Hide suggestions below {t:.0%} confidence",
            [],
            partial(s.set_threshold, t),
        )
        act.setCheckable(True)
        act.setChecked(t == 0)
        window.threshold_actions.addAction(act)
    learning = window.learning
    window.order_actions = QActionGroup(window)
    for order, text in (
        ("position", "Sort documents in project &order"),
        ("uncertain", "Sort documents most &uncertain first"),
    ):
        act = a(window, text, [], partial(window.documents.set_order, order))
        act.setCheckable(True)
        act.setChecked(order == window.documents.order())
        act.setData(order)
        window.order_actions.addAction(act)
    window.documents.order_changed.connect(
        lambda order: next(x for x in window.order_actions.actions() if x.data() == order).setChecked(True)
    )
    return [
        (
            "&File",
            [
                a(window, "&New project…", ["Ctrl+N"], lambda: app.new_project(window)),
                a(window, "&Open project…", ["Ctrl+O"], lambda: app.open_folder(window)),
                window.recent_menu.menuAction(),
                None,
                a(window, "&Import documents…", ["Ctrl+I"], window.show_import),
                a(window, "&Export…", ["Ctrl+E"], window.show_export),
                a(window, "&Back up the database…", ["Ctrl+B"], window.back_up),
                None,
                a(
                    window,
                    "Project &settings…",
                    ["Ctrl+Shift+P"],
                    window.show_settings,
                    "Shared by everyone on the project: suggestions, label mapping, overlap, retraining",
                ),
                a(window, "&Team…", [], window.show_team, "Who annotates and who reviews"),
                None,
                review_action(window),
                None,
                a(window, "&Close project", ["Ctrl+W"], lambda: app.close_project(window)),
                a(window, "&Quit", "Ctrl+Q", app.quit),
            ],
        ),
        (
            "&Edit",
            [
                undo,
                redo,
                None,
                a(
                    window,
                    "&Accept the selected suggestion (it stays selected)",
                    ["Return", "Enter"],
                    s.accept_selected,
                ),
                a(
                    window,
                    "&Delete the selected entity (nothing stays selected; Tab goes on)",
                    ["Delete"],
                    s.remove_selected,
                ),
                None,
                a(window, "&Next entity", ["Tab"], lambda: s.step_selection(1)),
                a(window, "&Previous entity", ["Shift+Tab", "Shift+Backtab"], lambda: s.step_selection(-1)),
                a(window, "&Grow entity by a token", ["Shift+Right"], lambda: s.resize_selected("end", True)),
                a(window, "&Shrink entity by a token", ["Shift+Left"], lambda: s.resize_selected("end", False)),
                a(window, "Grow entity to the &left", ["Ctrl+Shift+Left"], lambda: s.resize_selected("start", True)),
                a(
                    window,
                    "Shrink entity from the l&eft",
                    ["Ctrl+Shift+Right"],
                    lambda: s.resize_selected("start", False),
                ),
                a(window, "Clear selection (or stop waiting)", ["Escape"], lambda: s.stop_waiting() or s.select(None)),
                None,
                a(window, "&Preferences…", ["Ctrl+,"], window.show_preferences),
            ],
        ),
        (
            "&Document",
            [
                window.act_accept,
                window.act_reject,
                window.act_ignore,
                window.act_back,
                None,
                a(
                    window,
                    "Ne&xt document",
                    ["Ctrl+PgDown", "Ctrl+Down"],
                    lambda: s.writer.later(lambda: window.documents.step(1)),
                ),
                a(
                    window,
                    "Pre&vious document",
                    ["Ctrl+PgUp", "Ctrl+Up"],
                    lambda: s.writer.later(lambda: window.documents.step(-1)),
                ),
                a(window, "&Find documents", "Ctrl+F", window.documents.search.setFocus),
                a(window, "Next &match", "F3", lambda: window.step_match(1), "The next place the search matches"),
                a(window, "Previous matc&h", "Shift+F3", lambda: window.step_match(-1)),
                a(window, "&Comment or flag this document", ["Ctrl+M"], window.edit_note),
            ],
        ),
        ("&Labels", [a(window, "&Edit labels…", ["Ctrl+L"], window.show_labels), None, *window.label_group_actions]),
        (
            "&Model",
            [
                a(
                    window,
                    "&Train a model from the accepted documents",
                    ["Ctrl+T"],
                    learning.train,
                    "In the background",
                ),
                a(
                    window,
                    "Train &with options…",
                    ["Ctrl+Shift+T"],
                    learning.train_with_options,
                    "Update the current model or start anew, the held-out share, labels, a time limit",
                ),
                a(window, "&Cancel training", [], learning.cancel),
                a(window, "Model &panel: scores and learning curve", ["Ctrl+Shift+M"], learning.show_panel),
                learning.retrain_menu.menuAction(),
                None,
                a(window, "Jump to the &least confident suggestion", ["Ctrl+U"], s.select_least_confident),
            ],
        ),
        (
            "&View",
            [
                *scroll_actions(window),
                None,
                window.act_guidelines,
                window.act_documents,
                window.act_entities,
                a(window, "&Statistics", ["F9"], window.show_statistics),
                a(window, "&Agreement between annotators…", ["Ctrl+Shift+G"], window.show_agreement),
                None,
                window.act_theme_light,
                window.act_theme_dark,
                None,
                *window.threshold_actions.actions(),
                None,
                *window.order_actions.actions(),
                None,
                a(window, "&Reload", ["F5"], window.watcher.reload, "Show what other windows and commands changed"),
                a(window, "Compute &suggestions now", [], window.background.start_suggesting),
            ],
        ),
        (
            "&Help",
            [
                a(window, "&Keyboard shortcuts", ["F1", "Ctrl+/"], window.show_shortcuts),
                a(
                    window,
                    "&Check the project…",
                    [],
                    window.check_project,
                    "The database's integrity and its event log replayed against the annotations (reads only)",
                ),
                *(
                    [a(window, "Add Tagdesk to the applications &menu", [], window.add_launcher)]
                    if sys.platform.startswith("linux")
                    else []
                ),
                a(window, "&About Tagdesk", [], window.show_about),
            ],
        ),
    ]


def review_action(window: MainWindow) -> QAction:
    """Into review mode (`tagdesk open DIR --review`) and back: the same project in a window of the other mode."""
    from .app import controller

    review = window.session.review
    text = "Back to &annotating" if review else "Re&view the annotators' differences"
    tip = "Your own annotations again" if review else "Settle where annotators differ into the gold annotation"
    folder = window.project.folder
    return make_action(
        window,
        text,
        ["Ctrl+Shift+R"],
        lambda: controller().open(folder, window, replace=window, review=not review),
        tip,
    )


def scroll_actions(window: MainWindow) -> list[QAction]:
    """Scrolling the text: the text view's own keys (they act while it has the focus; the lists keep theirs)."""
    t = window.text
    acts = [
        make_action(window, "Scroll down a &page", "PgDown", lambda: t.scroll_pages(1)),
        make_action(window, "Scroll up a pa&ge", "PgUp", lambda: t.scroll_pages(-1)),
        make_action(window, "Scroll down a li&ne", "Down", lambda: t.scroll_lines(1)),
        make_action(window, "Scroll up a l&ine", "Up", lambda: t.scroll_lines(-1)),
        make_action(window, "&Top of the document", ["Ctrl+Home", "Home"], t.scroll_to_start),
        make_action(window, "&End of the document", ["Ctrl+End", "End"], t.scroll_to_end),
    ]
    for act in acts:
        window.removeAction(act)
        act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        t.addAction(act)
    return acts


def build_menus(window: MainWindow, groups: list[Group]) -> dict[str, QMenu]:
    menus = {}
    for title, actions in groups:
        menu = window.menuBar().addMenu(title)
        menus[title.replace("&", "")] = menu
        for act in actions:
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
    return menus


def refill_labels_menu(window: MainWindow, menu: QMenu) -> None:
    """After the labels changed: new label actions (keys) in the Labels menu and in the F1 list."""
    for act in window.label_group_actions:
        window.removeAction(act)
        menu.removeAction(act)
        act.deleteLater()
    window.label_group_actions = label_actions(window)
    for act in window.label_group_actions:
        menu.addAction(act)
    for i, (title, actions) in enumerate(window.groups):
        if title == "&Labels":
            window.groups[i] = (title, [actions[0], None, *window.label_group_actions])
