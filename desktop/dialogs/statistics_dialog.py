"""View → Statistics: documents by status, entities per label (in the labels' colours), decisions per day and per
hour of the day, and the time spent per document, for you, any annotator or everyone; for a team, each
annotator's decided documents and their agreement with the others by week. The counts come from `models.store`
and `models.metrics.report` (what `tagdesk stats` reads), read on the thread pool."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtWidgets import QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from models import store
from models.metrics.report import agreement_over_time
from models.project import Project

from ..tasks import run_task
from ..widgets.plot import Plot
from ..widgets.status_bar import duration, plural

if TYPE_CHECKING:
    from matplotlib.axes import Axes

STATUS_COLORS = {"pending": "#9aa1ab", "accepted": "#2e7d32", "rejected": "#c62828", "ignored": "#b07aa1"}
DAYS = 30


def read_statistics(project: Project, annotator: str | None) -> dict[str, Any]:
    with project.session() as s:
        return {
            "stats": store.stats(session=s, annotator=annotator or project.annotator),
            "activity": store.activity(session=s, annotator=annotator),
            "people": store.annotators(session=s),
            "weeks": agreement_over_time(session=s),
        }


class StatisticsDialog(QDialog):
    def __init__(self, project: Project, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statisticsDialog")
        self.setWindowTitle(f"Statistics — {project.config.project.name}")
        self.resize(980, 760)
        self.project = project
        self.who = QComboBox(self)
        self.who.addItem(f"You ({project.annotator})", project.annotator)
        self.who.addItem("Everyone", None)
        with project.session() as s:  # each annotator of a team (a few names: read here, not on the pool)
            for name in store.annotators(session=s):
                if name != project.annotator:
                    self.who.addItem(name, name)
        self.summary = QLabel(self)
        self.summary.setObjectName("statsSummary")
        self.summary.setWordWrap(True)
        names = ("status", "labels", "days", "hours", "time", "people", "agreement")
        self.plots = {name: Plot(theme, self) for name in names}
        grid = QGridLayout()
        grid.addWidget(self.plots["status"], 0, 0)
        grid.addWidget(self.plots["labels"], 0, 1)
        grid.addWidget(self.plots["days"], 1, 0, 1, 2)
        grid.addWidget(self.plots["hours"], 2, 0)
        grid.addWidget(self.plots["time"], 2, 1)
        grid.addWidget(self.plots["people"], 3, 0)
        grid.addWidget(self.plots["agreement"], 3, 1)
        body = QWidget(self)
        body.setLayout(grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        top = QHBoxLayout()
        top.addWidget(QLabel("Whose work:", self))
        top.addWidget(self.who)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        self.data: dict[str, Any] | None = None
        self.who.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        project, who = self.project, self.who.currentData()
        self.summary.setText("Counting…")
        task = run_task(lambda _r, _s: read_statistics(project, who), name="statistics")
        task.finished.connect(lambda data: self.show_data(data) if shiboken6.isValid(self) else None)
        task.failed.connect(lambda exc: self.summary.setText(f"Could not read the project: {exc}"))

    def show_data(self, data: dict[str, Any]) -> None:
        self.data = data
        st, act = data["stats"], data["activity"]
        colors = {lab.name: lab.color for lab in self.project.config.labels}
        statuses = st["statuses"]
        seconds = act["seconds"]
        decided = sum(n for s, n in statuses.items() if s != "pending")
        pace = f"; {duration(sum(seconds) / len(seconds))} a document on average" if seconds else ""
        self.summary.setText(
            f"{st['documents']:,} documents, {decided:,} decided by {self.who.currentText().lower()}"
            f"{pace}; {plural(st['spans'], 'entity', 'entities')} in all."
        )
        names = list(statuses)
        self.plots["status"].draw(
            lambda ax: ax.bar(names, [statuses[n] for n in names], color=[STATUS_COLORS[n] for n in names]),
            "Documents by status",
        )
        by_label = st["spans_by_label"]
        labels = [n for n in self.project.config.label_names if n in by_label] + [
            n for n in by_label if n not in colors
        ]
        self.plots["labels"].draw(
            lambda ax: ax.barh(
                labels[::-1],
                [by_label[n] for n in labels[::-1]],
                color=[colors.get(n, "#888888") for n in labels[::-1]],
                height=0.6,
            ),
            "Entities per label",
            counts="x",
        )
        today = act["today"]
        days = [today - timedelta(days=i) for i in range(DAYS - 1, -1, -1)]
        per_day = dict(act["per_day"])

        def per_day_bars(ax: Axes) -> None:
            ax.bar([d.strftime("%d %b") for d in days], [per_day.get(d, 0) for d in days], color="#4e79a7")
            ax.tick_params(axis="x", labelrotation=60)

        self.plots["days"].draw(per_day_bars, f"Decisions per day (last {DAYS} days)")
        self.plots["hours"].draw(
            lambda ax: (
                ax.bar(range(24), act["per_hour"], color="#76b7b2"),
                ax.set_xticks(range(0, 24, 3)),
                ax.set_xlabel("hour (local time)"),
            ),
            "Decisions by hour of the day",
        )
        minutes = [x / 60 for x in seconds]
        self.plots["time"].draw(
            lambda ax: (
                (ax.hist(minutes, bins=min(20, max(1, len(minutes))), color="#f28e2b"), ax.set_xlabel("minutes"))
                if minutes
                else ax.text(
                    0.5,
                    0.5,
                    "No decided documents yet",
                    ha="center",
                    va="center",
                    color=self.plots["time"].colors["text"],
                )
            ),
            "Time per document",
            counts="y",
        )
        self._team(st, data["weeks"])

    def _team(self, st: dict[str, Any], weeks: list[dict[str, Any]]) -> None:
        """Each annotator's decided documents, and their exact span F1 against the others per ISO week."""
        people = [a for a in st["annotators"] if a["decided"]]
        text = self.plots["people"].colors["text"]
        self.plots["people"].draw(
            lambda ax: (
                ax.barh([a["name"] for a in people][::-1], [a["decided"] for a in people][::-1], color="#59a14f")
                if people
                else ax.text(0.5, 0.5, "Nobody decided a document yet", ha="center", va="center", color=text)
            ),
            "Documents decided, per annotator",
            counts="x",
        )
        names = sorted({n for w in weeks for n in w["f1"]})

        def agreement(ax: Axes) -> None:
            if not weeks:
                ax.text(0.5, 0.5, "No document accepted by two annotators yet", ha="center", va="center", color=text)
                return
            labels = [w["week"] for w in weeks]
            for name in names:
                ax.plot(labels, [w["f1"].get(name) for w in weeks], marker="o", label=name)
            ax.set_ylim(0, 1.05)
            c = self.plots["agreement"].colors
            ax.legend(
                loc="lower right", fontsize="small", facecolor=c["base"], edgecolor=c["mid"], labelcolor=c["text"]
            )

        self.plots["agreement"].draw(agreement, "Agreement by week (span F1, exact, against the others)", counts="")
