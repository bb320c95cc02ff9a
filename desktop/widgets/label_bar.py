"""The label bar: every label with its colour and key; the active one is checked. Clicking one makes it active
(as its key does)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QSizePolicy, QToolButton, QWidget

from models.config import Label

from ..contrast import blend, text_on
from .flow_layout import FlowLayout


class LabelBar(QWidget):
    label_clicked = Signal(int)  # index of the label (key 1 -> 0)

    def __init__(self, labels: list[Label], parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.dark = dark
        self.setObjectName("labelBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        self.flow = FlowLayout(self, spacing=5)
        self.flow.setContentsMargins(12, 8, 12, 8)
        self.set_labels(labels)

    def set_labels(self, labels: list[Label], active: str | None = None) -> None:
        """Show these labels (after a label was added, renamed, recoloured, moved or removed)."""
        for button in self.buttons.values():
            self.group.removeButton(button)
            self.flow.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        self.labels = list(labels)
        layout = self.flow
        for i, lab in enumerate(labels):
            button = QToolButton(self)
            button.setObjectName("labelChip")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            key = lab.key or ""
            button.setText(f"{key}  {lab.name}" if key else lab.name)
            button.setToolTip(
                f"{lab.name}: press {key} to make it the active label, or to relabel the selected entity"
                if key
                else lab.name
            )
            button.setStyleSheet(_chip_style(lab.color, dark=self.dark))
            button.clicked.connect(lambda _c=False, i=i: self.label_clicked.emit(i))
            self.group.addButton(button, i)
            self.buttons[lab.name] = button
            layout.addWidget(button)
        if labels:
            self.set_active(active if active in self.buttons else labels[0].name)
        self.updateGeometry()

    def set_dark(self, dark: bool) -> None:
        """Recolour the chips for the theme (their unchecked tint is painted over the bar's background)."""
        self.dark = dark
        for lab in self.labels:
            self.buttons[lab.name].setStyleSheet(_chip_style(lab.color, dark=dark))

    def set_active(self, name: str) -> None:
        button = self.buttons.get(name)
        if button is not None:
            button.setChecked(True)


CHIP_TINT = 0.16  # the unchecked chip's fill: the label colour at this opacity over the bar


def chip_colors(color: str, *, dark: bool) -> dict[str, str]:
    """The chip's colours, opaque, as painted: unchecked (a faint tint of the label colour with the theme's text)
    and checked (the label colour with dark or white text, whichever reads better)."""
    bar = "#23262b" if dark else "#ffffff"
    return {
        "fill": blend(color, bar, CHIP_TINT),
        "text": "#e4e6ea" if dark else "#1d1f23",
        "checked_fill": color,
        "checked_text": text_on(color),
    }


def _chip_style(color: str, *, dark: bool) -> str:
    c = chip_colors(color, dark=dark)
    return (
        f"QToolButton#labelChip {{ border-left: 4px solid {color}; background: {c['fill']}; color: {c['text']}; }}"
        f"QToolButton#labelChip:checked {{ background: {c['checked_fill']}; color: {c['checked_text']}; "
        f"border-color: {color}; }}"
    )
