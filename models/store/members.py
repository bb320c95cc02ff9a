"""The team: members and their roles, and the check every write makes against them (see `models.team`).

The acting person is the one the session was opened for (`writing(engine, user=...)`, the project's annotator);
a session opened without a user (tools, tests, migrations) is not checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, col

from ..db.tables import Event, Member, utcnow
from ..errors import TagdeskError
from ..team import GOLD, REVIEWER, ROLES, check_person

USER_KEY = "tagdesk_user"


class NotAllowedError(TagdeskError):
    """The acting person's role does not allow this write; nothing was written."""


def acting_user(session: Session) -> str | None:
    """Who the session writes for (None: unchecked)."""
    user = session.info.get(USER_KEY)
    return str(user) if user else None


def members(*, session: Session) -> dict[str, str]:
    """name -> role of every member, by name."""
    rows = session.execute(select(col(Member.name), col(Member.role)).order_by(col(Member.name))).all()
    return {str(name): str(role) for name, role in rows}


def role_of(name: str, *, session: Session) -> str | None:
    """The member's role, None for someone who is not a member."""
    return session.execute(select(col(Member.role)).where(col(Member.name) == name)).scalar_one_or_none()


def check_write(annotator: str, *, session: Session) -> None:
    """Refuse a write to `annotator`'s annotation unless the acting person may make it: their own, or (for a
    reviewer) the gold annotation or anyone's import. Without a team or an acting user, anything goes."""
    user = acting_user(session)
    if user is None or user == annotator:
        if user is not None and _has_team(session) and role_of(user, session=session) is None:
            raise _not_member(user)
        return
    if not _has_team(session):
        return
    role = role_of(user, session=session)
    if role is None:
        raise _not_member(user)
    if role == REVIEWER:
        return
    whose = "the gold (reviewed) annotation" if annotator == GOLD else f"{annotator}'s annotation"
    raise NotAllowedError(
        f"{user} is an annotator and may change only their own annotations, not {whose}; "
        "a reviewer can (tagdesk team DIR lists who is one)"
    )


def require_reviewer(*, session: Session, what: str) -> None:
    """Refuse a project-level action (`what`) to a non-reviewer once the project has a team."""
    user = acting_user(session)
    if user is None or not _has_team(session):
        return
    role = role_of(user, session=session)
    if role is None:
        raise _not_member(user)
    if role != REVIEWER:
        raise NotAllowedError(f"{what} is a reviewer's action and {user} is an annotator; ask a reviewer")


def change_team(
    *, session: Session, add: Sequence[tuple[str, str]] = (), remove: Sequence[str] = ()
) -> list[tuple[str, str | None]]:
    """Add members or change their roles (`add`: name, role) and remove members (their annotations stay), in one
    transaction with a `team_member` event per change; commit. Returns what changed: (name, new role or None).

    Changing a team is a reviewer's action; a project without a team may be given one by anyone, as long as it
    names a reviewer. A team is never left without a reviewer."""
    current = members(session=session)
    for name, role in add:
        check_person(name, "member")
        if role not in ROLES:
            raise TagdeskError(f"role {role!r}: choose {' or '.join(ROLES)}")
    for name in remove:
        if name not in current and name not in dict(add):
            raise TagdeskError(f"{name} is not a member; members: {', '.join(current) or 'none'}")
    if current:
        require_reviewer(session=session, what="changing the team")
    after = {**current, **{name.strip(): role for name, role in add}}
    for name in remove:
        after.pop(name, None)
    if after and REVIEWER not in after.values():
        if not current:
            first = add[0][0] if add else "NAME"
            raise TagdeskError(
                f"a new team needs a reviewer (who can then change it): tagdesk team DIR --reviewer {first.strip()}"
            )
        raise TagdeskError("the team would have no reviewer left; make someone else a reviewer first")
    conn = session.connection()
    changed: list[tuple[str, str | None]] = []
    for name, role in after.items():
        if current.get(name) == role:
            continue
        if name in current:
            conn.execute(update(Member).where(col(Member.name) == name).values(role=role))
        else:
            conn.execute(insert(Member).values(name=name, role=role, added_at=utcnow()))
        _event(session, "team_member", {"name": name, "role": role, "before": current.get(name)})
        changed.append((name, role))
    for name in current:
        if name not in after:
            conn.execute(delete(Member).where(col(Member.name) == name))
            _event(session, "team_member", {"name": name, "role": None, "before": current[name]})
            changed.append((name, None))
    session.commit()
    return changed


def _event(session: Session, action: str, payload: dict[str, object]) -> None:
    session.connection().execute(
        insert(Event).values(
            at=utcnow(), annotator=acting_user(session) or "", document_id=None, action=action, payload=payload
        )
    )


def _has_team(session: Session) -> bool:
    return session.execute(select(col(Member.name)).limit(1)).first() is not None


def _not_member(user: str) -> NotAllowedError:
    return NotAllowedError(
        f"{user} is not a member of this project's team; a reviewer adds you with: tagdesk team DIR --add {user}"
    )
