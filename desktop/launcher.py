"""`tagdesk desktop-entry`: a launcher in the desktop's application menu (Linux, freedesktop.org), with Tagdesk's
icon, that opens the start screen. Written to the user's XDG folders; `--remove` takes it away. No Qt import."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from models.errors import TagdeskError
from resources import resource_path

ENTRY = "tagdesk.desktop"
ICON = "tagdesk.svg"


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(base).expanduser() if base else Path.home() / ".local" / "share"


def command() -> str:
    """How the launcher starts Tagdesk: this installation's `tagdesk` script, else this interpreter."""
    script = Path(sys.executable).with_name("tagdesk")
    if script.exists():
        return f"{shlex.quote(str(script))} open"
    return f"{shlex.quote(sys.executable)} -m desktop open"


def entry_text() -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.5",
            "Name=Tagdesk",
            "GenericName=Text annotation",
            "Comment=Annotate entities in text with a model in the loop",
            f"Exec={command()}",
            "Icon=tagdesk",
            "Terminal=false",
            "Categories=Office;Education;Science;",
            "Keywords=annotation;NER;spaCy;corpus;",
            "StartupWMClass=Tagdesk",
            "",
        ]
    )


def install(root: Path | None = None) -> list[Path]:
    """Write the desktop entry and the icon; returns the files written."""
    root = root or data_home()
    entry = root / "applications" / ENTRY
    icon = root / "icons" / "hicolor" / "scalable" / "apps" / ICON
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        icon.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resource_path("icons", ICON), icon)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(entry_text(), encoding="utf-8")
        tmp.replace(entry)
    except OSError as exc:
        raise TagdeskError(f"{exc.filename}: cannot write the launcher ({exc.strerror})") from None
    return [entry, icon]


def remove(root: Path | None = None) -> list[Path]:
    root = root or data_home()
    gone = []
    for path in (root / "applications" / ENTRY, root / "icons" / "hicolor" / "scalable" / "apps" / ICON):
        if path.exists():
            path.unlink()
            gone.append(path)
    return gone
