"""Starting the window where it cannot appear is one line and exit 1 (no core dump); `tagdesk desktop-entry`
installs a launcher with the icon in the user's XDG folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.platform_check import DEBIAN_PACKAGES, display_problem, missing_library, xcb_plugin


def test_no_display_is_one_line_and_exit_1(project, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run(
        [sys.executable, "-m", "desktop", "open", str(project.folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display: neither DISPLAY nor WAYLAND_DISPLAY is set" in lines[0]
    assert "Traceback" not in r.stderr and "core dumped" not in r.stderr
    assert not list(tmp_path.glob("core*"))


def test_offscreen_or_a_display_is_no_problem():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs a C compiler to build a plugin with a missing library")
def test_a_missing_x11_library_is_named(tmp_path):
    """A stand-in for Qt's xcb plugin linked against a library that is then removed: the loader's complaint
    becomes a message naming the library (and the Debian package when it is one of Qt's)."""
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int dep(void); int plugin(void) { return dep(); }\n")
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-o",
            tmp_path / "libtagdesk-gone.so.0",
            tmp_path / "dep.c",
            "-Wl,-soname,libtagdesk-gone.so.0",
        ],
        check=True,
    )
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-o",
            tmp_path / "libqxcb.so",
            tmp_path / "plugin.c",
            tmp_path / "libtagdesk-gone.so.0",
        ],
        check=True,
    )
    (tmp_path / "libtagdesk-gone.so.0").unlink()
    plugin = tmp_path / "libqxcb.so"
    assert missing_library(plugin) == "libtagdesk-gone.so.0"
    message = display_problem({"DISPLAY": ":0"}, plugin=plugin)
    assert "the library libtagdesk-gone.so.0 is missing" in message and "libxcb-cursor0" in message


def test_the_installed_qt_plugin_is_checked_for_real():
    """Qt's own xcb plugin: when this machine lacks one of its libraries (a bare CI image often does), the
    message names that library and its Debian package; when it has them all, there is no problem."""
    plugin = xcb_plugin()
    if plugin is None:
        pytest.skip("this PySide6 has no X11 plugin")
    lib = missing_library(plugin)
    problem = display_problem({"DISPLAY": ":0"}, plugin=plugin)
    if lib is None:
        assert problem is None
    else:
        assert f"the library {lib} is missing" in problem
        assert f"sudo apt install {DEBIAN_PACKAGES[lib]}" in problem


def test_desktop_entry_installs_a_launcher_and_removes_it(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    code, out, err = cli("desktop-entry")
    assert code == 0, err
    entry = tmp_path / "share" / "applications" / "tagdesk.desktop"
    icon = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "tagdesk.svg"
    text = entry.read_text(encoding="utf-8")
    assert "Name=Tagdesk" in text and "Icon=tagdesk" in text and "Terminal=false" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" open")  # the start screen
    program = exec_line.removeprefix("Exec=").split(" ")[0].strip("'")
    assert Path(program).exists()
    assert icon.read_bytes().startswith(b"<") and str(entry) in out
    validate = shutil.which("desktop-file-validate")
    if validate:
        assert subprocess.run([validate, str(entry)], capture_output=True, text=True).returncode == 0
    code, out, _ = cli("desktop-entry", "--remove")
    assert code == 0 and not entry.exists() and not icon.exists()
