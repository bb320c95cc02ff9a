"""Before Qt starts: can this machine show a window? Qt itself aborts with a core dump when it cannot (no display,
or its X11 plugin missing a library); this says in one line what is missing and what to install. No Qt import.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

# Libraries Qt's xcb plugin needs that a minimal Linux lacks, with the Debian package that has each.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11-xcb.so.1": "libx11-xcb1",
}
ALL_PACKAGES = (
    "libegl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
    "libxcb-render-util0 libxcb-shape0 libxcb-xkb1"
)


def xcb_plugin() -> Path | None:
    """Qt's X11 platform plugin in the installed PySide6 (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def missing_library(plugin: Path) -> str | None:
    """The first shared library `plugin` cannot load (as the dynamic loader names it), or None if it loads."""
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | getattr(os, "RTLD_LOCAL", 0))
    except OSError as exc:
        found = re.search(r"(lib[\w.+-]+\.so[\w.]*)", str(exc).split(":", 1)[0] if ":" in str(exc) else str(exc))
        named = re.findall(r"(lib[\w.+-]+\.so[.\d]*)", str(exc))
        return (named[0] if named else found.group(1) if found else str(exc)) or str(exc)
    return None


def display_problem(env: dict[str, str] | None = None, plugin: Path | None = None) -> str | None:
    """Why the window cannot open here (one line saying what to do), or None when it can."""
    env = dict(os.environ if env is None else env)
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc", "eglfs", "linuxfb")):
        return None
    wayland = bool(env.get("WAYLAND_DISPLAY")) and not platform.startswith("xcb")
    if not env.get("DISPLAY") and not wayland:
        return (
            "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window has nowhere to appear. Run "
            "Tagdesk in a desktop session (or over ssh -X), or use the tagdesk commands, which need no display"
        )
    if wayland and not env.get("DISPLAY"):
        return None  # Qt's Wayland plugin; the X11 libraries are not needed
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    lib = missing_library(plugin)
    if lib is None:
        return None
    package = DEBIAN_PACKAGES.get(lib)
    what = f"install it (Debian/Ubuntu: sudo apt install {package})" if package else f"install {lib}"
    return (
        f"Qt's X11 support cannot start: the library {lib} is missing; {what}. Qt's window needs these "
        f"Debian packages: {ALL_PACKAGES}"
    )
