"""The label bar: every label with its colour and key; the active one is checked. Clicking one makes it active
(as its key does)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QSizePolicy, QToolButton, QWidget

from models.config import Label

from .flow_layout import FlowLayout


class LabelBar(QWidget):
    label_clicked = Signal(int)  # index of the label (key 1 -> 0)

    def __init__(self, labels: list[Label], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        layout = FlowLayout(self, spacing=5)
        layout.setContentsMargins(12, 8, 12, 8)
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
            button.setStyleSheet(_chip_style(lab.color))
            button.clicked.connect(lambda _c=False, i=i: self.label_clicked.emit(i))
            self.group.addButton(button, i)
            self.buttons[lab.name] = button
            layout.addWidget(button)
        if labels:
            self.set_active(labels[0].name)

    def set_active(self, name: str) -> None:
        button = self.buttons.get(name)
        if button is not None:
            button.setChecked(True)


def _chip_style(color: str) -> str:
    c = QColor(color)
    fill = QColor(c)
    fill.setAlphaF(0.16)
    rgba = f"rgba({fill.red()},{fill.green()},{fill.blue()},{fill.alphaF():.2f})"
    text = "#ffffff" if c.lightnessF() < 0.62 else "#1d1f23"
    return (
        f"QToolButton#labelChip {{ border-left: 4px solid {color}; background: {rgba}; }}"
        f"QToolButton#labelChip:checked {{ background: {color}; color: {text}; border-color: {color}; }}"
    )
