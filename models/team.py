"""Team concepts shared by the store, the command line and the window (no SQL, no Qt).

The gold annotation of a document is the one a reviewer settles from the annotators' own. It is stored as the
annotation of a reserved annotator, `GOLD`, so it has everything an annotation has (spans, status, version, its
history in the event log, replayed by `tagdesk check`) while staying apart from every person's annotation:
agreement, the per-annotator figures and the count of annotators per document leave it out. No person can be
called by a name starting with `RESERVED_PREFIX`.

Roles: once a project has members (`tagdesk team DIR add NAME`), each person writes only their own annotation;
a reviewer also writes the gold annotation, imports other people's annotations and manages the team. A project
without members checks nothing (one person, or a folder shared without a team set up).
"""

from __future__ import annotations

from .errors import TagdeskError

RESERVED_PREFIX = "@"
GOLD = "@gold"
ANNOTATOR = "annotator"  # writes their own annotations
REVIEWER = "reviewer"  # also writes the gold annotation, imports others' work, manages the team
ROLES = (ANNOTATOR, REVIEWER)


def is_person(annotator: str) -> bool:
    """True for a person's annotation, False for the gold one (and any other reserved name)."""
    return not annotator.startswith(RESERVED_PREFIX)


def check_person(annotator: str, where: str) -> str:
    """`annotator` if it can name a person; TagdeskError saying why not (`where` names its source)."""
    name = annotator.strip()
    if not name:
        raise TagdeskError(f"{where}: an annotator's name cannot be empty")
    if not is_person(name):
        raise TagdeskError(
            f"{where}: {name!r} starts with {RESERVED_PREFIX!r}, which Tagdesk keeps for the reviewed (gold) "
            "annotation; choose another name"
        )
    return name
