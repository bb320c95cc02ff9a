"""Training the project's NER from its accepted documents (no Qt here).

Public API (the window and `tagdesk train` / `tagdesk models` use exactly these):
- `train_project(project, TrainOptions(...), on_progress=, should_stop=, use=)`: train, score, save `pipelines/NNN/`.
- `train_in_process(folder, options, ...)`: the same in a child process (the window: no freeze, a hard cancel).
- `list_versions`, `current_version`, `get_version`, `use_version`: the trained pipelines and which one suggests.
- `retrain_check`: whether automatic retraining is due (`model.retrain_every` accepted documents since the last).
"""

from __future__ import annotations

from .auto import RetrainCheck, retrain_check
from .loop import Step
from .process import train_in_process
from .run import TrainOptions, TrainResult, train_project
from .versions import ModelVersion, current_version, get_version, latest_version, list_versions, use_version

__all__ = [
    "ModelVersion",
    "RetrainCheck",
    "Step",
    "TrainOptions",
    "TrainResult",
    "current_version",
    "get_version",
    "latest_version",
    "list_versions",
    "retrain_check",
    "train_in_process",
    "train_project",
    "use_version",
]
