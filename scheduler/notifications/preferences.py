"""What each person wants to receive. Account, security and schedule-change mail is not optional.

Optional kinds: reminders before a seat, invitations to open seats, late-drop alerts and the
daily digest (both for coordinators). A hearing change, a cancellation and a waitlist promotion
always go out: missing one can leave someone alone at court.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import NotificationPreference, User

OPTIONAL_KINDS = ("reminder", "invitation", "late_drop", "digest")
# Kinds of message a person may also get by SMS, Signal or push (besides email), and the
# message kinds in each ("changes": a hearing moved, cancelled or changed; a waitlist promotion).
CHANNEL_KINDS = ("changes", "reminder", "invitation", "late_drop", "digest")
KIND_GROUPS = {
    "hearing_changed": "changes",
    "hearing_cancelled": "changes",
    "hearing_updated": "changes",
    "waitlist_promoted": "changes",
    "reminder": "reminder",
    "invitation": "invitation",
    "late_drop": "late_drop",
    "digest": "digest",
}
REMINDER_CHOICES = (24, 2)


@dataclass(frozen=True, slots=True)
class Prefs:
    reminder_hours: tuple[int, ...]
    invitations: bool = True
    late_drops: bool = True
    digest: bool = True
    # Channels for urgent alerts; None: every channel the person can be reached on.
    urgent_channels: tuple[str, ...] | None = None
    # Channels besides email per group of CHANNEL_KINDS; none by default.
    kind_channels: dict[str, tuple[str, ...]] | None = None

    def extra_channels(self, kind: str) -> tuple[str, ...]:
        """The channels besides email this person wants a message of this kind on."""
        group = KIND_GROUPS.get(kind)
        return (self.kind_channels or {}).get(group, ()) if group else ()

    def wants(self, kind: str) -> bool:
        if kind == "reminder":
            return bool(self.reminder_hours)
        return {"invitation": self.invitations, "late_drop": self.late_drops, "digest": self.digest}.get(
            kind, True
        )


def _to_prefs(row: NotificationPreference | None, default_hours: Iterable[int]) -> Prefs:
    if row is None:
        return Prefs(reminder_hours=tuple(default_hours))
    hours = default_hours if row.reminder_hours is None else row.reminder_hours
    return Prefs(
        reminder_hours=tuple(sorted({int(h) for h in hours}, reverse=True)),
        invitations=row.invitations,
        late_drops=row.late_drops,
        digest=row.digest,
        urgent_channels=None if row.urgent_channels is None else tuple(row.urgent_channels),
        kind_channels={k: tuple(v) for k, v in (row.kind_channels or {}).items()},
    )


def prefs_for(session: Session, user_id: int, *, default_hours: Iterable[int]) -> Prefs:
    return _to_prefs(session.get(NotificationPreference, user_id), default_hours)


def prefs_for_many(
    session: Session, user_ids: Iterable[int], *, default_hours: Iterable[int]
) -> dict[int, Prefs]:
    """One query for a whole list of recipients."""
    ids = list(set(user_ids))
    rows = (
        {
            r.user_id: r
            for r in session.scalars(
                select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    defaults = tuple(default_hours)
    return {uid: _to_prefs(rows.get(uid), defaults) for uid in ids}


def _row(session: Session, user: User) -> NotificationPreference:
    row = session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id, invitations=True, late_drops=True, digest=True)
        session.add(row)
    return row


def save(
    session: Session,
    *,
    user: User,
    reminder_hours: Iterable[int],
    invitations: bool,
    late_drops: bool,
    digest: bool,
) -> None:
    row = _row(session, user)
    row.reminder_hours = sorted({int(h) for h in reminder_hours}, reverse=True)
    row.invitations = invitations
    row.late_drops = late_drops
    row.digest = digest
    session.flush()


def turn_off(session: Session, *, user: User, kind: str) -> None:
    """What an unsubscribe link does: that one optional kind stops."""
    if kind not in OPTIONAL_KINDS:
        raise ValueError(kind)
    row = _row(session, user)
    if kind == "reminder":
        row.reminder_hours = []
    elif kind == "invitation":
        row.invitations = False
    elif kind == "late_drop":
        row.late_drops = False
    else:
        row.digest = False
    session.flush()


def save_urgent_channels(
    session: Session, *, user: User, channels: Iterable[str], known: Iterable[str]
) -> None:
    """Which channels urgent alerts use for this person (only the known channel names are kept)."""
    allowed = list(known)
    row = _row(session, user)
    row.urgent_channels = [c for c in allowed if c in set(channels)]
    session.flush()


def save_kind_channels(
    session: Session, *, user: User, chosen: Mapping[str, Iterable[str]], known: Iterable[str]
) -> None:
    """Which channels besides email each kind of message also uses (unknown names are dropped)."""
    allowed = list(known)
    row = _row(session, user)
    row.kind_channels = {
        kind: [c for c in allowed if c in set(chosen.get(kind, ()))]
        for kind in CHANNEL_KINDS
        if chosen.get(kind)
    }
    session.flush()
