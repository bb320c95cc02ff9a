"""Static resources: styles (.qss), icons, sample texts. Read with `resource_path(...)`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent


def resource_path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
