"""The application around the annotation window: a start screen when no project is open (recent projects, Open
folder, New project), opening and closing projects, the recent list, and Quit.

`run_app(folder)` opens a project at once (`make run`, `tagdesk open DIR`); `run_app(None)` shows the start screen
(`tagdesk open`, the desktop launcher). One `Controller` per process (`controller()`): the windows and dialogs call
it, so File → Open in a window and Open on the start screen are the same code.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from models.errors import TagdeskError
from models.project import Project, new_project, open_project
from resources import resource_path

from . import tasks
from .errors import install_excepthook

if TYPE_CHECKING:
    from models.config import Label

    from .dialogs.new_project_dialog import NewProjectDialog
    from .dialogs.start_screen import StartScreen
    from .main_window import MainWindow

RECENT_KEY = "recent_projects"
MAX_RECENT = 10
# How long a thread holding the interpreter lock keeps it while another waits (Python's default: 5 ms). The GUI
# thread enters Python many times a turn (paint, events, slots); while the writer thread builds rows for a large
# decision, each entry waited up to the whole interval: accepting 8,333 suggestions took GUI turns of 33-46 ms
# wall for 4-8 ms of their own CPU. At 0.5 ms the longest is 16-17 ms, and the commit takes as long as before.
GIL_SWITCH_S = 0.0005


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    if not isinstance(app, QApplication):  # a QCoreApplication made elsewhere cannot show windows
        raise RuntimeError("a QCoreApplication is running already; the window needs a QApplication")
    app.setApplicationName("Tagdesk")
    app.setOrganizationName("Tagdesk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "tagdesk.svg"))))
    sys.setswitchinterval(GIL_SWITCH_S)
    return app


def freeze_startup_objects() -> None:
    """Once the first window is up: move every object alive (modules, classes, widgets: ~150,000) out of the cycle
    collector's sight. A full collection then walks only what was made since, ~3 ms instead of ~150 ms on a 2-core
    machine; it runs every few documents opened (a 1 MB article makes ~16,000 items), so it used to land in an
    opening or a key press. Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


def recent_projects(settings: QSettings) -> list[Path]:
    raw = settings.value(RECENT_KEY, [])
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    return [Path(p) for p in items if p]


def add_recent(settings: QSettings, folder: Path) -> None:
    folder = folder.resolve()
    items = [p for p in recent_projects(settings) if p != folder]
    settings.setValue(RECENT_KEY, [str(p) for p in [folder, *items][:MAX_RECENT]])
    settings.sync()


def forget_recent(settings: QSettings, folder: Path) -> None:
    settings.setValue(RECENT_KEY, [str(p) for p in recent_projects(settings) if p != folder])


class Controller(QObject):
    """Opens, creates and closes projects; owns the open windows and the start screen."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.windows: list[MainWindow] = []
        self.projects: dict[int, Project] = {}
        self.start_screen: StartScreen | None = None
        self.quitting = False

    # -- opening
    def open(
        self,
        folder: Path | str,
        parent: QWidget | None = None,
        *,
        replace: MainWindow | None = None,
        review: bool = False,
    ) -> MainWindow | None:
        """Open a project folder in a window (replacing `replace`'s project; in review mode with `review`, as
        `tagdesk open DIR --review`); a problem is a dialog, and the caller's screen stays. Returns the window, or
        None. A server that wants a password libpq finds nowhere is asked for it with a dialog."""
        from .dialogs.password_dialog import dialog_prompt

        folder = Path(folder)
        try:
            project = open_project(folder, ask_password=dialog_prompt(parent))
        except TagdeskError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, "Tagdesk cannot open this project", str(exc), parent=parent)
            box.setObjectName("openFailed")
            box.exec() if not _offscreen() else box.show()
            self.last_error = str(exc)
            return None
        return self.show_project(project, replace=replace, review=review)

    def show_project(self, project: Project, *, replace: MainWindow | None = None, review: bool = False) -> MainWindow:
        from .main_window import MainWindow

        add_recent(self.settings, project.folder)
        if replace is not None:
            replace.close()
        window = MainWindow(project, settings=self.settings, review=review)
        self.windows.append(window)
        self.projects[id(window)] = project
        window.show()
        if self.start_screen is not None:
            self.start_screen.close()
            self.start_screen = None
        return window

    def open_folder(self, parent: QWidget | None = None) -> MainWindow | None:
        folder = QFileDialog.getExistingDirectory(parent, "Open a Tagdesk project folder", str(Path.home()))
        if folder:
            return self.open(folder, parent, replace=parent if _is_window(parent) else None)
        return None

    def new_project(self, parent: QWidget | None = None) -> NewProjectDialog:
        from .dialogs.new_project_dialog import NewProjectDialog

        dialog = NewProjectDialog(parent)
        dialog.created.connect(
            lambda project: self.show_project(project, replace=parent if _is_window(parent) else None)
        )
        dialog.show()
        return dialog

    def create(
        self,
        folder: Path,
        labels: list[str] | list[Label],
        *,
        pipeline: str,
        patterns: list[str],
        database_url: str | None = None,
    ) -> Project:
        """The New project dialog's work: `models.project.new_project` (as `tagdesk new`, `--database` too)."""
        return new_project(folder, labels, pipeline=pipeline, patterns=patterns, database_url=database_url)

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        items = recent_projects(self.settings)
        if not items:
            menu.addAction("No recent projects").setEnabled(False)
        for folder in items:
            act = menu.addAction(f"{folder.name}   —   {folder.parent}")
            act.setEnabled(folder.is_dir())
            parent = menu.parentWidget()
            act.triggered.connect(
                lambda _c=False, f=folder, p=parent: self.open(f, p, replace=p if _is_window(p) else None)
            )

    # -- closing
    def close_project(self, window: MainWindow) -> None:
        window.close()

    def window_closed(self, window: MainWindow) -> None:
        if window not in self.windows:
            return  # a window this controller did not open (tests make their own)
        project = self.projects.pop(id(window), None)
        self.windows.remove(window)
        if project is not None:
            tasks.shutdown()
            project.close()
        if not self.windows and not self.quitting:
            QTimer.singleShot(0, self.show_start)

    def show_start(self) -> StartScreen | None:
        from .dialogs.start_screen import StartScreen

        if self.windows or self.quitting:
            return None
        if self.start_screen is None:
            from .preferences import Preferences
            from .theme import application, apply_theme

            prefs = Preferences.load(self.settings)
            apply_theme(application(), prefs.theme, prefs.font_pt)
            self.start_screen = StartScreen(self)
        self.start_screen.show()
        self.start_screen.raise_()
        return self.start_screen

    def quit(self) -> None:
        self.quitting = True
        for window in list(self.windows):
            window.close()
        if self.start_screen is not None:
            self.start_screen.close()
        QApplication.quit()


def _is_window(widget: object) -> TypeGuard[MainWindow]:
    from .main_window import MainWindow

    return isinstance(widget, MainWindow)


def _offscreen() -> bool:
    return QApplication.platformName() in ("offscreen", "minimal")


_controller: Controller | None = None


def controller() -> Controller:
    global _controller
    if _controller is None:
        _controller = Controller()
    return _controller


def set_controller(value: Controller | None) -> None:
    """Tests give the application its own settings file."""
    global _controller
    _controller = value


def run_app(folder: Path | None, argv: list[str] | None = None, *, review: bool = False) -> int:
    app = make_app(argv)
    install_excepthook()
    ctl = controller()
    if folder is None:
        ctl.show_start()
    else:
        from .dialogs.password_dialog import dialog_prompt

        try:
            project = open_project(folder, ask_password=dialog_prompt(None))
        except TagdeskError as exc:
            QMessageBox.critical(None, "Tagdesk cannot open this project", str(exc))
            raise
        ctl.show_project(project, review=review)
    QTimer.singleShot(1000, freeze_startup_objects)  # once the window is painted (a collection takes ~150 ms)
    try:
        return app.exec()
    finally:
        ctl.quitting = True
        tasks.shutdown()  # no worker may still use the database once it is closed
        for project in list(ctl.projects.values()):
            project.close()
