"""View preferences kept in QSettings (per user, per machine): theme, interface font size, how suggestions are drawn.
The annotator's name is not one of them: it lives in the per-user settings file `models/` reads (the
preferences dialog edits that file)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor

from .theme import DEFAULT_FONT_PT, FONT_SIZES, THEMES
from .widgets.text_view import Palette

# How pending suggestions look: their dashed outline over a tint of the label colour, at three strengths.
SUGGESTION_STYLES = {
    "outline": "Dashed outline only",
    "tint": "Outline and a light tint",
    "strong": "Outline and a strong tint",
}
_TINT = {"outline": 0.0, "tint": 1.0, "strong": 2.6}  # times the view's own tint


class StyledPalette(Palette):
    """The view's palette with the tint of pending suggestions scaled by the chosen style."""

    def __init__(self, colors: dict[str, str], *, dark: bool, suggestion_style: str) -> None:
        super().__init__(colors, dark=dark)
        self.scale = _TINT.get(suggestion_style, 1.0)

    def tint(self, label: str, *, strong: bool = False, weak: bool = False) -> QColor:
        c = super().tint(label, strong=strong, weak=weak)
        c.setAlphaF(min(1.0, c.alphaF() * self.scale))
        return c


@dataclass(frozen=True)
class Preferences:
    theme: str = "light"
    font_pt: int = DEFAULT_FONT_PT
    suggestion_style: str = "tint"

    @classmethod
    def load(cls, settings: QSettings) -> Preferences:
        theme = str(settings.value("theme", "light"))
        try:
            font = int(str(settings.value("font_pt", DEFAULT_FONT_PT)))
        except (TypeError, ValueError):
            font = DEFAULT_FONT_PT
        style = str(settings.value("suggestion_style", "tint"))
        return cls(
            theme if theme in THEMES else "light",
            font if font in FONT_SIZES else DEFAULT_FONT_PT,
            style if style in SUGGESTION_STYLES else "tint",
        )

    def save(self, settings: QSettings) -> None:
        settings.setValue("theme", self.theme)
        settings.setValue("font_pt", self.font_pt)
        settings.setValue("suggestion_style", self.suggestion_style)
        settings.sync()

    def with_theme(self, theme: str) -> Preferences:
        return replace(self, theme=theme if theme in THEMES else "light")

    def palette(self, colors: dict[str, str], *, dark: bool) -> Palette:
        return StyledPalette(colors, dark=dark, suggestion_style=self.suggestion_style)
