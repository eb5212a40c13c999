"""Invitations: a coordinator asks one volunteer to take a seat; the volunteer accepts or declines.

Inviting assigns nothing. Accepting is claiming: the shifts service runs the same rules and
locks, so an invitation can never seat someone a claim would refuse. If the seat was taken in
the meantime, the volunteer may join the waitlist instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from scheduler import audit, events
from scheduler.courts import scope
from scheduler.domain.claims import ClaimOutcome
from scheduler.domain.eligibility import Refusal, Rules, match_refusals
from scheduler.domain.matching import rank
from scheduler.enums import HearingStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.matching.facts import (
    MatchSettings,
    holders,
    load_facts,
    load_histories,
    load_schedules,
    match_seat,
    open_invitations,
)
from scheduler.models import Hearing, Invitation, InvitationStatus, Shift, User
from scheduler.shifts import claims as shift_service
from scheduler.shifts.facts import load_shift, seat_facts
from scheduler.shifts.queries import filled_counts, with_hearing


class NotEligible(ServiceError):
    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("not_eligible")
        self.refusals = refusals


@dataclass(slots=True)
class SendReport:
    created: list[Invitation] = field(default_factory=list)
    # (shift_id, user_id, code): lines left out, and why ("not_eligible", "full", "already_invited"...).
    skipped: list[tuple[int, int, str]] = field(default_factory=list)


def _refusals(session: Session, *, shift: Shift, user_id: int, now: datetime, rules: Rules) -> list[Refusal]:
    people = load_facts(session, user_ids=[user_id])
    if user_id not in people:
        raise ServiceError("unknown_volunteer")
    schedule = load_schedules(session, window=(shift.starts_at, shift.ends_at), user_ids=[user_id])
    held = schedule.get(user_id)
    return match_refusals(
        volunteer=people[user_id],
        seat=seat_facts(shift),
        commitments=held.commitments if held else (),
        now=now,
        rules=rules,
    )


def _check_invite(
    session: Session, *, actor: User, shift: Shift, user_id: int, now: datetime, rules: Rules
) -> None:
    if not scope.may_manage_court(actor, shift.hearing.court_id):
        raise PermissionDenied()
    if shift.hearing.status == HearingStatus.CANCELLED:
        raise ServiceError("cancelled")
    if user_id in holders(session, [shift.id]).get(shift.id, frozenset()):
        raise ServiceError("already_held")
    if filled_counts(session, [shift.id]).get(shift.id, 0) >= shift.capacity:
        raise ServiceError("full")
    existing = session.scalar(
        select(Invitation.id).where(
            Invitation.shift_id == shift.id,
            Invitation.user_id == user_id,
            Invitation.status == InvitationStatus.PENDING,
        )
    )
    if existing is not None:
        raise ServiceError("already_invited")
    refusals = _refusals(session, shift=shift, user_id=user_id, now=now, rules=rules)
    if refusals:
        raise NotEligible(refusals)


def _create(
    session: Session, *, actor: User | None, shift: Shift, user_id: int, from_plan: bool
) -> Invitation:
    invitation = Invitation(
        shift_id=shift.id,
        user_id=user_id,
        invited_by_id=actor.id if actor is not None else None,
        status=InvitationStatus.PENDING,
        expires_at=shift.starts_at,
        from_plan=from_plan,
        nonce=secrets.token_hex(16),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="invitation.created",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": user_id, "from_plan": from_plan},
    )
    events.record(session, events.InvitationSent(invitation_id=invitation.id))  # same transaction
    return invitation


def invite(
    session: Session, *, actor: User, shift_id: int, user_id: int, now: datetime, settings: MatchSettings
) -> Invitation:
    """One coordinator press: an invitation if the person may take the seat, else why not."""
    shift = load_shift(session, shift_id)
    if shift is None:
        raise shift_service.ShiftMissing()
    _check_invite(session, actor=actor, shift=shift, user_id=user_id, now=now, rules=settings.rules)
    return _create(session, actor=actor, shift=shift, user_id=user_id, from_plan=False)


def send_plan(
    session: Session,
    *,
    actor: User,
    lines: Iterable[tuple[int, int]],
    now: datetime,
    settings: MatchSettings,
) -> SendReport:
    """Invitations for the plan lines the coordinator kept, each re-checked now.

    A line that became invalid since the plan was computed (the seat filled, the person took
    another seat, the hearing moved) is skipped and reported, never forced through.
    """
    if not actor.is_coordinator:
        raise PermissionDenied()
    report = SendReport()
    lines = list(dict.fromkeys(lines))
    shifts = {
        s.id: s
        for s in session.scalars(
            select(Shift).where(Shift.id.in_([sid for sid, _ in lines])).options(*with_hearing())
        ).unique()
    }
    for shift_id, user_id in lines:
        shift = shifts.get(shift_id)
        if shift is None:
            report.skipped.append((shift_id, user_id, "not_found"))
            continue
        try:
            _check_invite(session, actor=actor, shift=shift, user_id=user_id, now=now, rules=settings.rules)
        except PermissionDenied:
            raise
        except ServiceError as exc:
            report.skipped.append((shift_id, user_id, exc.code))
            continue
        report.created.append(_create(session, actor=actor, shift=shift, user_id=user_id, from_plan=True))
    return report


def invite_replacements(
    session: Session, *, shift: Shift, now: datetime, settings: MatchSettings, limit: int
) -> list[Invitation]:
    """Invite the best-ranked eligible people to a seat freed on the day (no coordinator acts).

    Used when a seat holder says they cannot make it and nobody on the waitlist could take it:
    the same ranking coordinators see, without the respondent's initial; nobody already
    holding, waiting for or invited to the seat; at most ``limit`` invitations.
    """
    if limit <= 0 or shift.hearing.status == HearingStatus.CANCELLED:
        return []
    if filled_counts(session, [shift.id]).get(shift.id, 0) >= shift.capacity:
        return []
    invited = {user_id for user_id, _at in open_invitations(session, shift.id)}
    ranking = rank(
        seat=match_seat(shift, include_ref=False),
        volunteers=list(load_facts(session, role=shift.role).values()),
        schedules=load_schedules(session, window=(shift.starts_at, shift.ends_at)),
        histories=load_histories(session, now=now, case_keys=[shift.hearing.case_key]),
        now=now,
        rules=settings.rules,
        weights=settings.weights,
        exclude=holders(session, [shift.id]).get(shift.id, frozenset()) | invited,
        explain=False,
    )
    return [
        _create(session, actor=None, shift=shift, user_id=m.user_id, from_plan=False)
        for m in ranking.matches[:limit]
    ]


@dataclass(frozen=True, slots=True)
class MyInvitation:
    """A row of the volunteer's invitations page; ``status`` shows one unanswered past its time as expired."""

    invitation: Invitation
    status: InvitationStatus


def my_invitations(session: Session, *, user: User, now: datetime, limit: int = 50) -> list[MyInvitation]:
    """A volunteer's invitations: open ones first (soonest first), then recent answers.

    Reads only: an invitation past its time shows as expired here, and is stored as expired
    when someone answers it (``respond_to_invitation``).
    """
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.user_id == user.id)
        .options(joinedload(Invitation.shift).joinedload(Shift.hearing).joinedload(Hearing.court))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    )
    shown = [MyInvitation(inv, _status_at(inv, now)) for inv in rows]
    shown.sort(
        key=lambda r: (
            r.status != InvitationStatus.PENDING,
            r.invitation.shift.starts_at if r.status == InvitationStatus.PENDING else now,
        )
    )
    return shown


def _status_at(invitation: Invitation, now: datetime) -> InvitationStatus:
    if invitation.status == InvitationStatus.PENDING and invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    return invitation.status


@dataclass(slots=True)
class Answer:
    outcome: str  # "accepted", "waitlisted", "full", "refused", "declined"
    refusals: list[Refusal] = field(default_factory=list)


def respond_to_invitation(
    session: Session,
    *,
    invitation: Invitation,
    user: User,
    accept: bool,
    now: datetime,
    rules: Rules | None = None,
    join_waitlist: bool = False,
) -> Answer:
    """Accept (claim the seat through the shifts service) or decline an open invitation.

    Used by the invitations page and by the emailed single-use links: answering clears the
    nonce, so a link cannot be used twice. ``rules`` are the claim rules from config.
    """
    if invitation.user_id != user.id:
        raise PermissionDenied()
    if invitation.status != InvitationStatus.PENDING:
        raise ServiceError("not_pending")
    if invitation.expires_at <= now:
        invitation.status = InvitationStatus.EXPIRED
        invitation.nonce = None
        session.flush()
        raise ServiceError("expired")
    if not accept:
        _close(invitation, InvitationStatus.DECLINED, now)
        audit.record(
            session,
            actor=user,
            action="invitation.declined",
            object_type="shift",
            object_id=invitation.shift_id,
        )
        session.flush()
        return Answer("declined")
    result = shift_service.claim_shift(
        session,
        actor=user,
        shift_id=invitation.shift_id,
        now=now,
        rules=rules or Rules(),
        join_waitlist=join_waitlist,
    )
    if result.outcome in (ClaimOutcome.CONFIRMED, ClaimOutcome.WAITLISTED, ClaimOutcome.ALREADY):
        _close(invitation, InvitationStatus.ACCEPTED, now)
        audit.record(
            session,
            actor=user,
            action="invitation.accepted",
            object_type="shift",
            object_id=invitation.shift_id,
        )
        session.flush()
        outcome = "waitlisted" if result.outcome == ClaimOutcome.WAITLISTED else "accepted"
        return Answer(outcome)
    if result.outcome == ClaimOutcome.FULL:
        return Answer("full")
    return Answer("refused", list(result.refusals))


def withdraw(session: Session, *, actor: User, shift_id: int, user_id: int, now: datetime) -> Invitation:
    """Take back an unanswered invitation (the seat was filled another way, or it went to the
    wrong person). Its emailed links stop working at once; nothing else changes."""
    shift = load_shift(session, shift_id)
    if shift is None:
        raise shift_service.ShiftMissing()
    if not scope.may_manage_court(actor, shift.hearing.court_id):
        raise PermissionDenied()
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.shift_id == shift.id,
            Invitation.user_id == user_id,
            Invitation.status == InvitationStatus.PENDING,
        )
    )
    if invitation is None:
        raise ServiceError("not_invited")
    _close(invitation, InvitationStatus.CANCELLED, now)
    audit.record(
        session,
        actor=actor,
        action="invitation.withdrawn",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": user_id},
    )
    session.flush()
    return invitation


def _close(invitation: Invitation, status: InvitationStatus, now: datetime) -> None:
    invitation.status = status
    invitation.responded_at = now
    invitation.nonce = None


def invitation_for(session: Session, *, invitation_id: int, user: User) -> Invitation | None:
    """A person's own invitation by id; someone else's reads as missing."""
    inv = session.get(Invitation, invitation_id)
    return inv if inv is not None and inv.user_id == user.id else None
