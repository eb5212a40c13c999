"""A person's own data, to download (right of access) or before deleting their account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from scheduler import audit
from scheduler.domain.timezones import to_local
from scheduler.enums import Role, SignupStatus
from scheduler.errors import ServiceError
from scheduler.models import (
    AuditEvent,
    Hearing,
    PhoneNumber,
    PushSubscription,
    Shift,
    Signup,
    User,
    VolunteerProfile,
)
from scheduler.secretbox import SecretBox
from scheduler.types import utcnow


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def user_data(session: Session, *, user: User, box: SecretBox | None = None) -> dict[str, Any]:
    """Everything the app holds about this person, but nothing about the people they accompanied.

    Hearings appear as court, time, kind and role only: respondent references, private notes
    and outcome notes belong to the coordinators' records, not to the volunteer's export.
    """
    profile = session.scalar(
        select(VolunteerProfile)
        .where(VolunteerProfile.user_id == user.id)
        .options(
            selectinload(VolunteerProfile.languages),
            selectinload(VolunteerProfile.roles),
            selectinload(VolunteerProfile.trainings),
            selectinload(VolunteerProfile.availability),
            selectinload(VolunteerProfile.blackout_dates),
            selectinload(VolunteerProfile.preferred_courts),
        )
    )
    signups = session.scalars(
        select(Signup)
        .where(Signup.user_id == user.id)
        .options(joinedload(Signup.shift).joinedload(Shift.hearing).joinedload(Hearing.court))
        .order_by(Signup.id)
    ).all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id).limit(1000)
    ).all()
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "phone": user.phone,
            "role": user.role.value,
            "status": user.status.value,
            "language": user.locale,
            "registered_at": _iso(user.created_at),
            "approved_at": _iso(user.approved_at),
            "last_login_at": _iso(user.last_login_at),
            "password_changed_at": _iso(user.password_changed_at),
        },
        "volunteer_profile": _profile(profile),
        "alert_channels": _channels(session, user, box),
        "signups": [_signup(s) for s in signups],
        "activity": [
            {"at": _iso(e.created_at), "action": e.action, "object_type": e.object_type} for e in events
        ],
    }


def _channels(session: Session, user: User, box: SecretBox | None) -> dict[str, Any]:
    """The mobile number kept for urgent alerts (decrypted for its owner) and push devices."""
    phone = session.get(PhoneNumber, user.id)
    devices = session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)).all()
    return {
        "mobile_number": box.decrypt(phone.number_ciphertext)
        if phone is not None and box is not None
        else None,
        "mobile_number_verified_at": _iso(phone.verified_at) if phone is not None else None,
        "push_devices": [{"added_at": _iso(d.created_at)} for d in devices],
    }


def _profile(profile: VolunteerProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "languages": profile.language_codes,
        "roles": [r.value for r in profile.role_values],
        "has_car": profile.has_car,
        "max_shifts_per_week": profile.max_shifts_per_week,
        "trainings": {t.training: t.completed_on.isoformat() for t in profile.trainings},
        "availability": [
            {"weekday": w.weekday, "from": w.start_time.isoformat(), "to": w.end_time.isoformat()}
            for w in profile.availability
        ],
        "away_dates": [d.day.isoformat() for d in profile.blackout_dates],
        "preferred_courts": [c.name for c in profile.preferred_courts],
    }


def _signup(signup: Signup) -> dict[str, Any]:
    shift = signup.shift
    hearing = shift.hearing
    court = hearing.court
    return {
        "court": court.name,
        "court_timezone": court.timezone,
        "starts_at_local": to_local(shift.starts_at, court.timezone).isoformat(),
        "ends_at_local": to_local(shift.ends_at, court.timezone).isoformat(),
        "hearing_kind": hearing.kind.value,
        "role": shift.role.value,
        "status": signup.status.value,
        "team_lead": signup.team_lead,
        "attendance": signup.attendance.value if signup.attendance else None,
        "signed_up_at": _iso(signup.created_at),
    }


def upcoming_seats(session: Session, *, user: User) -> int:
    """Seats this person still holds at hearings to come (they must give them up first)."""
    return len(
        session.scalars(
            select(Signup.id)
            .join(Signup.shift)
            .where(
                Signup.user_id == user.id,
                Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
                Shift.ends_at > utcnow(),
            )
        ).all()
    )


def delete_account(session: Session, *, user: User) -> None:
    """Remove the person and everything attached to them (profile, sign-ups, feed tokens).

    Only volunteers delete themselves: a coordinator or admin leaving would strand hearings
    and could remove the last admin, so an admin removes those accounts. Seats still held at
    upcoming hearings must be given up first, so coordinators hear about the gap.
    """
    if user.role != Role.VOLUNTEER:
        raise ServiceError("staff_account")
    if upcoming_seats(session, user=user):
        raise ServiceError("holds_seats")
    user_id = user.id
    session.delete(user)
    session.flush()
    # The actor is gone; the event keeps only the number the account had.
    audit.record(session, actor=None, action="user.deleted_self", object_type="user", object_id=user_id)
    session.flush()
