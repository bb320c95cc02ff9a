"""One plot, drawn with matplotlib's QtAgg canvas in the theme's colours (the application's only plot library).

Why matplotlib: its QtAgg backend runs on PySide6-Essentials (QtCore/QtGui/QtWidgets), which Tagdesk already
needs; QtCharts would need PySide6-Addons, a much larger download that must match the Qt version exactly.
matplotlib is imported when the first plot is made (~0.5 s), never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from ..theme import theme_colors

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class Plot(QWidget):
    def __init__(self, theme: str, parent: QWidget | None = None, *, height: float = 2.4) -> None:
        super().__init__(parent)
        import matplotlib

        matplotlib.use("QtAgg", force=False)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        c = theme_colors(theme)
        self.colors = c
        self.figure = Figure(figsize=(5, height), dpi=96, facecolor=c["base"], layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(int(height * 70))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)

    def draw(self, fn: Callable[[Axes], object], title: str, *, counts: str = "y") -> None:
        """Clear, call `fn(axes)` to draw, style the axes for the theme, repaint. `counts` names the axis that
        counts things (whole-number ticks), or is "" when neither does."""
        from matplotlib.ticker import MaxNLocator

        c = self.colors
        self.figure.clear()
        ax = self.figure.add_subplot()
        ax.set_facecolor(c["base"])
        fn(ax)
        if counts:  # "" for a plot that counts nothing (a share from 0 to 1)
            (ax.yaxis if counts == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, color=c["text"], fontsize=10, loc="left", fontweight="bold")
        ax.tick_params(colors=c["text"], labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(c["mid"])
        ax.yaxis.label.set_color(c["text"])
        ax.xaxis.label.set_color(c["text"])
        self.canvas.draw_idle()
