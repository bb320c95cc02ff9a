"""Where suggestions come from: a drop-down of the installed spaCy pipelines (found on the thread pool, without
importing spaCy: `models.suggest.locate.installed_pipelines`), "None" (patterns only) and a pipeline folder. The
New project dialog and Project settings share it."""

from __future__ import annotations

from typing import cast

import shiboken6
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from ..tasks import run_task

NO_PIPELINE = ""
FOLDER = "\0folder"


class PipelineChoice(QComboBox):
    def __init__(self, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pipelineChoice")
        self._fill([], value, looking=True)
        self.activated.connect(lambda _i: self._chosen())
        task = run_task(lambda _r, _s: _installed(), name="installed pipelines")
        task.finished.connect(lambda names: self._fill(names, self.value()) if shiboken6.isValid(self) else None)

    def value(self) -> str:
        """The pipeline setting chosen: a package name, a folder, or "" (none)."""
        data = self.currentData()
        return NO_PIPELINE if data in (None, FOLDER) else str(data)

    def set_value(self, value: str) -> None:
        index = self.findData(value)
        if index < 0:
            self.insertItem(0, value, value)
            index = 0
        self.setCurrentIndex(index)

    def _fill(self, names: list[str], value: str, *, looking: bool = False) -> None:
        self.looking = looking  # the installed pipelines are still being looked for
        self.clear()
        for name in names:
            self.addItem(f"{name} (installed)", name)
        if looking:
            self.addItem("Looking for installed pipelines…", None)
            cast(QStandardItemModel, self.model()).item(self.count() - 1).setEnabled(False)  # a note, not a choice
        elif not names:
            self.addItem("No spaCy pipeline is installed", NO_PIPELINE)
        self.addItem("None: suggestions from patterns only", NO_PIPELINE)
        self.addItem("A pipeline folder…", FOLDER)
        if value and self.findData(value) < 0:
            self.insertItem(0, value if value not in names else f"{value} (installed)", value)
        self.setCurrentIndex(max(0, self.findData(value)))

    def _chosen(self) -> None:
        if self.currentData() != FOLDER:
            return
        folder = QFileDialog.getExistingDirectory(self, "A spaCy pipeline folder (e.g. training/model-best)")
        self.set_value(folder) if folder else self.setCurrentIndex(0)


def _installed() -> list[str]:
    from models.suggest.locate import installed_pipelines

    return installed_pipelines()
