"""Errors meant for users. Each message says what is wrong and what to do next.

`TagdeskError` is what the CLI prints as one line (exit 1) and what the GUI shows in a dialog.
Anything else escaping is a bug and gets a traceback.
"""

from __future__ import annotations

from pathlib import Path


class TagdeskError(Exception):
    """A problem the user can fix. str(err) is the whole message."""


class ConfigError(TagdeskError):
    """A project folder or its tagdesk.toml is missing or wrong."""


class ImportFileError(TagdeskError):
    """A file being imported has a bad line; nothing from it was stored."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class DocumentValueError(TagdeskError):
    """A document handed to the store holds a value that cannot be stored; `line` is where it was read (or None).
    An import names the file around it (ImportFileError)."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


class StaleAnnotationError(TagdeskError):
    """The annotation changed in another window since this one read it."""

    def __init__(self, document_id: int, expected: int, found: int) -> None:
        self.document_id = document_id
        self.expected = expected
        self.found = found
        super().__init__(
            f"document {document_id} was changed elsewhere (version {found}, this window had {expected}): "
            "reload it to see the other change, then redo yours"
        )


class OverlapError(TagdeskError):
    """A new or changed span would overlap another span (NER spans do not overlap). `span` is (start, end) of the
    refused one and `other` (label, start, end) of the one in the way, when known (the window quotes their text)."""

    def __init__(
        self, message: str, span: tuple[int, int] | None = None, other: tuple[str, int, int] | None = None
    ) -> None:
        super().__init__(message)
        self.span = span
        self.other = other


class DatabaseError(TagdeskError):
    """The project's database cannot be opened or written."""


class ServerUnavailableError(DatabaseError):
    """The database server cannot be reached (stopped, restarting, network down). Nothing of the change in
    progress was saved; the same call works again once the server is back."""


class SchemaMismatchError(DatabaseError):
    """A shared database's schema is older or newer than this Tagdesk's; the message names the command to run."""


def no_project(path: Path) -> ConfigError:
    return ConfigError(
        f"{path}: no tagdesk.toml here, so this is not a Tagdesk project; "
        f"create one with: tagdesk new {path} --labels PERSON,ORG,GPE"
    )


class SuggesterError(TagdeskError):
    """The project's suggestion model or patterns cannot be used (not installed, not a pipeline, bad pattern line).

    Annotation still works without suggestions; the message says what was asked, what was found and what to do.
    """


class TrainingError(TagdeskError):
    """Training cannot start or was stopped (too few accepted documents, a label without examples, cancelled).

    The project, its annotations and its current model are left as they were.
    """
