"""The annotator's note on the document on screen: a flag ("unsure", "needs review") and a comment. A new flag is
saved at once; the comment when Save is pressed (Ctrl+Enter) or the document changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from models.store import FLAGS, DocumentNote


class NotePanel(QWidget):
    save_requested = Signal(str, object)  # comment, flag (None: no flag)
    done_editing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notePanel")
        self.title = QLabel("Note on this document", self)
        self.title.setObjectName("panelTitle")
        self.flag = QComboBox(self)
        self.flag.setObjectName("noteFlag")
        self.flag.addItem("No flag", None)
        for f in FLAGS:
            self.flag.addItem(f"Flag: {f}", f)
        self.flag.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.comment = QPlainTextEdit(self)
        self.comment.setObjectName("noteComment")
        self.comment.setPlaceholderText("A comment for the reviewer (Ctrl+Enter saves, Esc goes back to the text)")
        self.comment.setTabChangesFocus(True)
        self.comment.setMaximumHeight(110)
        self.save = QPushButton("Save", self)
        self.save.setObjectName("noteSave")
        self.save.setToolTip("Save the comment (Ctrl+Enter)")
        self.save.setEnabled(False)
        self.save.clicked.connect(self._save)
        QShortcut(QKeySequence("Ctrl+Return"), self.comment, self._save, context=Qt.ShortcutContext.WidgetShortcut)
        self.comment.installEventFilter(self)
        row = QHBoxLayout()
        row.addWidget(self.flag, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 10, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.comment)
        self._shown = DocumentNote()
        self._loading = False
        self.flag.currentIndexChanged.connect(lambda _i: self._flag_changed())
        self.comment.textChanged.connect(lambda: self.save.setEnabled(self.dirty()))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            obj is self.comment
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
        ):
            self.done_editing.emit()
            return True
        return super().eventFilter(obj, event)

    def set_note(self, note: DocumentNote | None) -> None:
        """Show the note of the document now on screen (None: no document)."""
        self._loading = True
        self._shown = note or DocumentNote()
        self.comment.setPlainText(self._shown.comment)
        self.flag.setCurrentIndex(max(0, self.flag.findData(self._shown.flag)))
        self.save.setEnabled(False)
        self.title.setText("Note on this document" + (f" · {self._shown.flag}" if self._shown.flag else ""))
        self._loading = False

    def dirty(self) -> bool:
        return self.comment.toPlainText() != self._shown.comment

    def _flag_changed(self) -> None:
        if not self._loading:
            self._save()

    def _save(self) -> None:
        self.save_requested.emit(self.comment.toPlainText(), self.flag.currentData())

    def flush(self) -> None:
        """Save an unsaved comment (the document is about to change, or the window to close)."""
        if self.dirty():
            self._save()
