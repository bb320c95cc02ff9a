"""The per-user settings file: who is annotating on this computer, whatever project is open (no Qt).

A small TOML file, `$XDG_CONFIG_HOME/tagdesk/settings.toml` (`~/.config/tagdesk/settings.toml` when XDG_CONFIG_HOME
is not set); the environment variable `TAGDESK_USER_SETTINGS` names another file (tests, or several people sharing
one login). The command line and the window read and write the same file: the window's preferences edit it.

The annotator's name comes from this file; a project's `tagdesk.toml` may still name one (`project.annotator`,
written by older versions or by `tagdesk new --annotator`): it is the fallback when this file names nobody, and the
login name after that.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from .errors import ConfigError

ENV_VAR = "TAGDESK_USER_SETTINGS"
FILE_NAME = "settings.toml"
MAX_NAME = 128
FALLBACK_NAME = "annotator"


@dataclass(frozen=True)
class UserSettings:
    """What the file holds. `annotator` is None when the user has not chosen a name."""

    annotator: str | None = None


def settings_path() -> Path:
    """Where this user's settings file is (it may not exist yet)."""
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".config"
    return root / "tagdesk" / FILE_NAME


def check_name(name: str, where: str = "annotator") -> str:
    """An annotator's name as stored: trimmed, one line, 1-128 characters. ConfigError says what is wrong."""
    if not isinstance(name, str):
        raise ConfigError(f"{where}: expected a name in quotes, got {type(name).__name__} {name!r}")
    clean = name.strip()
    if not clean:
        raise ConfigError(f"{where}: the annotator's name is empty; type your name (it is saved with your work)")
    if len(clean) > MAX_NAME:
        raise ConfigError(f"{where}: the name is {len(clean)} characters long; keep it under {MAX_NAME + 1}")
    if any(not c.isprintable() for c in clean):
        raise ConfigError(f"{where}: the name contains a line break or a control character; type it on one line")
    return clean


def load_user_settings(path: Path | None = None) -> UserSettings:
    """Read the settings file; a missing file means no settings. ConfigError names the file and the key."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return UserSettings()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); fix its permissions or remove it") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 or remove it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}; fix it or remove it") from None
    unknown = sorted(set(data) - {"annotator"})
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}: remove it or check its spelling (known: annotator)")
    name = data.get("annotator")
    return UserSettings(annotator=None if name is None else check_name(name, f"{path}: annotator"))


def save_user_settings(settings: UserSettings, path: Path | None = None) -> Path:
    """Write the settings file (its folder is created; replaced atomically). Returns its path."""
    path = path or settings_path()
    data = {} if settings.annotator is None else {"annotator": check_name(settings.annotator)}
    text = "# Tagdesk: your settings on this computer (the window's Preferences edit this file).\n" + tomli_w.dumps(
        data
    )
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot be written ({exc.strerror}); your name was not saved") from None
    return path


def set_annotator(name: str, path: Path | None = None) -> str:
    """Save `name` as this user's annotator name; returns it as stored (trimmed)."""
    clean = check_name(name)
    current = load_user_settings(path)
    save_user_settings(UserSettings(**{**current.__dict__, "annotator": clean}), path)
    return clean


def login_name() -> str:
    """The operating system's name for this user, or a neutral one (containers may have none)."""
    try:
        return getpass.getuser() or FALLBACK_NAME
    except (OSError, KeyError):
        return FALLBACK_NAME


LOGIN_NAME = "login name"  # the source of a name that is only the computer's login (a server's login beats it)


def resolve_annotator(project_default: str | None = None) -> tuple[str, str]:
    """(the annotator's name, where it came from): this user's settings file, else the project's default
    (`project.annotator` in tagdesk.toml), else the login name."""
    mine = load_user_settings().annotator
    if mine:
        return mine, str(settings_path())
    if project_default:
        return project_default, "project.annotator in tagdesk.toml"
    return login_name(), LOGIN_NAME
