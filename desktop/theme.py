"""Light and dark themes: the Fusion style, a palette, and a stylesheet from resources/styles/."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QStyledItemDelegate

from resources import resource_path

THEMES = ("light", "dark")

_COLORS = {
    "light": {
        "window": "#f4f5f7",
        "base": "#ffffff",
        "alt": "#f7f8fa",
        "text": "#1d1f23",
        "mid": "#d8dbe0",
        "highlight": "#2f6fb0",
        "htext": "#ffffff",
        "muted": "#6b7280",
        "button": "#ffffff",
    },
    "dark": {
        "window": "#1b1d21",
        "base": "#23262b",
        "alt": "#272a30",
        "text": "#e4e6ea",
        "mid": "#3a3e45",
        "highlight": "#2f6fb0",  # white on it: 5.2:1 (#3d7cc4 was 4.3:1)
        "htext": "#ffffff",
        "muted": "#9aa1ab",
        "button": "#2b2f35",
    },
}


def palette(name: str) -> QPalette:
    c = _COLORS[name]
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in [
        (role.Window, "window"),
        (role.Base, "base"),
        (role.AlternateBase, "alt"),
        (role.Text, "text"),
        (role.WindowText, "text"),
        (role.ButtonText, "text"),
        (role.Button, "button"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "htext"),
        (role.ToolTipBase, "base"),
        (role.ToolTipText, "text"),
        (role.PlaceholderText, "muted"),
        (role.Mid, "mid"),
        (role.Midlight, "mid"),
        (role.Light, "base"),
        (role.Dark, "mid"),
    ]:
        pal.setColor(r, QColor(c[key]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(c["muted"]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor(c["muted"]))
    return pal


class _ComboPopups(QObject):
    """Gives every combo box's popup a QStyledItemDelegate when it is polished. The default delegate paints items
    like menu entries and ignores the style sheet's `QComboBox QAbstractItemView::item:selected`: with Fusion and
    a style sheet, the highlighted entry of a drop-down came out as an empty white box (its text invisible)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Polish
            and isinstance(obj, QComboBox)
            and not isinstance(obj.itemDelegate(), QStyledItemDelegate)
        ):
            obj.setItemDelegate(QStyledItemDelegate(obj))
        return False


_combo_fix: _ComboPopups | None = None


DEFAULT_FONT_PT = 10
FONT_SIZES = range(8, 19)


def application() -> QApplication:
    """The running QApplication (`desktop.app.make_app` makes it; no window exists without it)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication is running: create it with desktop.app.make_app first")
    return app


def apply_theme(app: QApplication, name: str, font_pt: int = DEFAULT_FONT_PT) -> str:
    """Apply a theme (and the interface's font size, in points) to the whole application; returns the name."""
    name = name if name in THEMES else "light"
    font_pt = font_pt if font_pt in FONT_SIZES else DEFAULT_FONT_PT
    global _combo_fix
    if _combo_fix is None:
        _combo_fix = _ComboPopups(app)
        app.installEventFilter(_combo_fix)
    app.setStyle("Fusion")
    app.setPalette(palette(name))
    sheet = resource_path("styles", f"{name}.qss").read_text(encoding="utf-8")
    sheet = sheet.replace("@ICONS@", resource_path("icons").as_posix())
    app.setStyleSheet(sheet + f"\nQWidget {{ font-size: {font_pt}pt; }}\n")
    return name


def theme_colors(name: str) -> dict[str, str]:
    """The chrome's colours of a theme (plots and rendered text use them too)."""
    return dict(_COLORS[name if name in THEMES else "light"])
