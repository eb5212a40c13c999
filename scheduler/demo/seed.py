"""A demo network to try the app with: courts in several zones, people, hearings, signups.

Deterministic (a fixed random seed) so screenshots and walkthroughs show the same data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.accounts.registry import hash_password
from scheduler.casework import awaiting, series
from scheduler.domain.hearings import default_shift_window
from scheduler.domain.recurrence import Frequency
from scheduler.domain.timezones import local_to_utc, to_local
from scheduler.enums import HearingKind, HearingOutcome, HeldStatus, Role, ShiftRole, SignupStatus, UserStatus
from scheduler.matching.facts import MatchSettings
from scheduler.models import (
    AvailabilityWindow,
    Court,
    Hearing,
    HearingLanguage,
    HearingReport,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
)
from scheduler.models.twofactor import TwoFactorSecret
from scheduler.secretbox import SecretBox
from scheduler.types import utcnow

# Public on purpose: printed by `make run` so a newcomer can sign in as each role.
DEMO_PASSWORD = "accompany-demo"  # noqa: S105  (a published demo credential)
DEMO_LOGINS = (
    ("admin@example.org", "admin"),
    ("coordinator@example.org", "coordinator (all courts)"),
    ("chicago.coordinator@example.org", "coordinator (Chicago only)"),
    ("volunteer@example.org", "volunteer (Spanish interpreter, approved)"),
    ("pending@example.org", "volunteer waiting for approval"),
)

DEMO_COURTS = (
    "Chicago Immigration Court",
    "New York - Federal Plaza Immigration Court",
    "Phoenix Immigration Court",
    "Los Angeles - N. Los Angeles Street Immigration Court",
    "Denver Immigration Court",
    "El Paso Immigration Court",
    "Honolulu Immigration Court",
    "Guaynabo (San Juan) Immigration Court",
    "Saipan Immigration Court",
    "Miami Immigration Court",
)

FIRST_NAMES = (
    "Ana",
    "Luis",
    "Marta",
    "Jean",
    "Rosa",
    "Pedro",
    "Claudia",
    "Samuel",
    "Fatima",
    "Tomás",
    "Grace",
    "Wilner",
    "Isabel",
    "Joaquim",
    "Lucía",
    "Daniel",
    "Esperanza",
    "Miguel",
    "Sarah",
    "Ixchel",
    "Josué",
    "Carmen",
    "Patrick",
    "Beatriz",
    "Nadia",
    "Hugo",
    "Elena",
    "Marie",
    "Diego",
    "Ruth",
)
LAST_NAMES = (
    "García",
    "Pierre",
    "Silva",
    "López",
    "Cohen",
    "Tzoc",
    "Baptiste",
    "Martínez",
    "Okafor",
    "Chávez",
    "Santos",
    "Ramírez",
    "Nguyen",
    "Jean-Louis",
    "Pérez",
    "Miller",
    "Xocop",
    "Costa",
    "Ortiz",
    "Brown",
)
# Language mixes seen in practice: many Spanish speakers, Indigenous Guatemalan languages with
# some Spanish, Haitian Creole, Portuguese.
LANGUAGE_MIXES = (
    ["es", "en"],
    ["es", "en"],
    ["es", "en"],
    ["es"],
    ["ht", "fr", "en"],
    ["pt", "es", "en"],
    ["mam", "es"],
    ["quc", "es"],
    ["kjb", "es"],
    ["en"],
    ["en", "es"],
    ["ht", "en"],
    ["pt", "en"],
)
HEARING_LANGUAGES = (
    ["es"],
    ["es"],
    ["es"],
    ["es"],
    ["ht"],
    ["pt"],
    ["mam", "es"],
    ["quc", "es"],
    ["kjb", "es"],
    ["en"],
)


@dataclass(frozen=True, slots=True)
class SeedResult:
    volunteers: int
    hearings: int
    signups: int


DEMO_STAFF = ("admin@example.org", "coordinator@example.org", "chicago.coordinator@example.org")


def print_logins(echo: Callable[[str], object]) -> None:
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, what in DEMO_LOGINS:
        echo(f"  {email:<34} {what}")
    echo("")
    echo("Staff sign in with a second step. The demo staff are enrolled already; to get the")
    echo("current 6-digit code, run:  .venv/bin/flask --app wsgi demo-code coordinator@example.org")
    echo("")


def enrol_demo_staff(session: Session, staff: list[User], *, box: SecretBox) -> None:
    """Give demo staff an authenticator secret, so their printed logins work out of the box.

    Each installation gets its own random secrets; `flask demo-code` reads them back, for demo
    accounts only and never in production.
    """
    for user in staff:
        session.add(
            TwoFactorSecret(
                user_id=user.id, secret_ciphertext=box.encrypt(pyotp.random_base32()), confirmed_at=utcnow()
            )
        )


def seed(session: Session, *, box: SecretBox) -> SeedResult:
    rng = random.Random(2026)
    courts = {c.name: c for c in session.scalars(select(Court).where(Court.name.in_(DEMO_COURTS)))}
    court_list = [courts[name] for name in DEMO_COURTS if name in courts]
    password_hash = hash_password(DEMO_PASSWORD)

    def person(email: str, name: str, role: Role, status: UserStatus = UserStatus.APPROVED) -> User:
        user = User(
            email=email,
            display_name=name,
            password_hash=password_hash,
            role=role,
            status=status,
            approved_at=utcnow() if status == UserStatus.APPROVED else None,
            password_changed_at=utcnow(),
        )
        session.add(user)
        return user

    admin = person("admin@example.org", "Alex Admin", Role.ADMIN)
    coordinator = person("coordinator@example.org", "Carla Coordinadora", Role.COORDINATOR)
    chicago = person("chicago.coordinator@example.org", "Chris Chicago", Role.COORDINATOR)
    if "Chicago Immigration Court" in courts:
        chicago.coordinated_courts = [courts["Chicago Immigration Court"]]

    volunteers: list[User] = []
    main = person("volunteer@example.org", "Valeria Voluntaria", Role.VOLUNTEER)
    _profile(main, ["es", "en"], [ShiftRole.INTERPRETER, ShiftRole.ACCOMPANIER], True, 3, rng, court_list[:2])
    volunteers.append(main)
    pending = person("pending@example.org", "Pablo Pendiente", Role.VOLUNTEER, UserStatus.PENDING)
    _profile(pending, ["es"], [ShiftRole.ACCOMPANIER], False, 2, rng, [])

    for i in range(39):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
        status = UserStatus.APPROVED
        if i in (5, 17, 29):
            status = UserStatus.PENDING
        elif i == 33:
            status = UserStatus.SUSPENDED
        user = person(f"volunteer{i + 1:02d}@example.org", name, Role.VOLUNTEER, status)
        languages = LANGUAGE_MIXES[i % len(LANGUAGE_MIXES)]
        roles = [ShiftRole.ACCOMPANIER]
        if languages != ["en"]:
            roles.append(ShiftRole.INTERPRETER)
        has_car = rng.random() < 0.4
        if has_car:
            roles.append(ShiftRole.DRIVER)
        if rng.random() < 0.3:
            roles.append(ShiftRole.OBSERVER)
        _profile(
            user,
            languages,
            roles,
            has_car,
            rng.choice((1, 2, 2, 3, 4)),
            rng,
            rng.sample(court_list, k=min(2, len(court_list))),
        )
        if status == UserStatus.APPROVED:
            volunteers.append(user)
    session.flush()

    enrol_demo_staff(session, [admin, coordinator, chicago], box=box)
    hearings = _hearings(session, rng, court_list, coordinator)
    signups = _signups(session, rng, hearings, volunteers)
    _casework(session, rng, court_list, coordinator, volunteers)
    return SeedResult(volunteers=40, hearings=len(hearings), signups=signups)


def _profile(
    user: User,
    languages: list[str],
    roles: list[ShiftRole],
    has_car: bool,
    max_per_week: int,
    rng: random.Random,
    preferred: list[Court],
) -> None:
    profile = VolunteerProfile(has_car=has_car, max_shifts_per_week=max_per_week)
    profile.languages = [VolunteerLanguage(language=code) for code in languages]
    profile.roles = [VolunteerRole(role=r) for r in roles]
    trained = date.today() - timedelta(days=rng.randint(20, 400))
    profile.trainings = [
        VolunteerTraining(training="orientation", completed_on=trained),
        VolunteerTraining(training="court_accompaniment", completed_on=trained + timedelta(days=7)),
    ]
    if ShiftRole.DRIVER in roles:
        profile.trainings.append(VolunteerTraining(training="driver_safety", completed_on=trained))
    days = sorted(rng.sample(range(5), k=rng.randint(2, 5)))
    start = time(rng.choice((7, 8, 9)), 0)
    end = time(rng.choice((13, 15, 17)), 0)
    profile.availability = [AvailabilityWindow(weekday=d, start_time=start, end_time=end) for d in days]
    profile.preferred_courts = preferred
    user.profile = profile


def _hearings(session: Session, rng: random.Random, courts: list[Court], creator: User) -> list[Hearing]:
    today = date.today()
    hearings: list[Hearing] = []
    kinds = (
        (HearingKind.MASTER,) * 4
        + (HearingKind.INDIVIDUAL,) * 2
        + (HearingKind.BOND, HearingKind.ICE_CHECKIN)
    )
    initials = [f"{a}.{b}." for a in "ABCDEFGHJKLMNPRSTV" for b in "ABCDEGHLMNPRST"]
    for i in range(80):
        court = courts[i % len(courts)]
        day = today + timedelta(days=1 + (i * 41 // 80) + rng.randint(0, 1))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        at = time(rng.choice((8, 9, 9, 10, 11, 13, 14)), rng.choice((0, 0, 30)))
        kind = rng.choice(kinds)
        duration = {HearingKind.INDIVIDUAL: 180, HearingKind.BOND: 60, HearingKind.ICE_CHECKIN: 45}.get(
            kind, 60
        )
        starts_at = local_to_utc(day, at, court.timezone)
        languages = rng.choice(HEARING_LANGUAGES)
        hearing = Hearing(
            court=court,
            starts_at=starts_at,
            duration_minutes=duration,
            kind=kind,
            courtroom="" if kind == HearingKind.ICE_CHECKIN else str(rng.randint(1, 14)),
            judge=""
            if kind == HearingKind.ICE_CHECKIN
            else rng.choice(("Judge Rivera", "Judge Chen", "Judge Okoro", "Judge Walsh")),
            respondent_ref=rng.choice(initials),
            meeting_point=rng.choice(
                ("Lobby, by the elevators", "Coffee shop across the street", "Security line entrance")
            ),
            public_notes=rng.choice(
                ("", "Bring a book: these hearings often run late.", "The family has two small children.")
            ),
            private_notes=rng.choice(
                ("", "Attorney confirmed by phone.", "Family fears a hallway arrest; plan the exit.")
            ),
            date_confirmed=rng.random() < 0.7,
            case_key=uuid.uuid4().hex,
            created_by_id=creator.id,
        )
        hearing.languages = [HearingLanguage(language=code) for code in languages]
        needs = {ShiftRole.ACCOMPANIER: 3 if kind == HearingKind.INDIVIDUAL else rng.choice((1, 2, 2))}
        if languages != ["en"]:
            needs[ShiftRole.INTERPRETER] = 1
        if rng.random() < 0.35:
            needs[ShiftRole.DRIVER] = 1
        if kind == HearingKind.INDIVIDUAL and rng.random() < 0.5:
            needs[ShiftRole.OBSERVER] = 1
        for role, count in needs.items():
            start, end = default_shift_window(role=role, hearing_start=starts_at, duration_minutes=duration)
            hearing.shifts.append(Shift(role=role, capacity=count, starts_at=start, ends_at=end))
        session.add(hearing)
        hearings.append(hearing)
    session.flush()
    return hearings


def _signups(session: Session, rng: random.Random, hearings: list[Hearing], volunteers: list[User]) -> int:
    busy_days: set[tuple[int, date]] = set()
    count = 0
    for hearing in hearings:
        if rng.random() < 0.35:
            continue  # leave some hearings without anyone, so the gaps show
        for shift in hearing.shifts:
            fits = [v for v in volunteers if _fits(v, shift, hearing)]
            rng.shuffle(fits)
            seats = rng.randint(0, shift.capacity)
            for volunteer in fits:
                if seats == 0:
                    break
                key = (volunteer.id, shift.starts_at.date())
                if key in busy_days:
                    continue
                busy_days.add(key)
                session.add(
                    Signup(
                        shift=shift,
                        user_id=volunteer.id,
                        status=SignupStatus.CONFIRMED,
                        status_changed_at=utcnow(),
                        team_lead=shift.role == ShiftRole.ACCOMPANIER and seats == shift.capacity,
                    )
                )
                seats -= 1
                count += 1
    session.flush()
    return count


def _fits(volunteer: User, shift: Shift, hearing: Hearing) -> bool:
    profile = volunteer.profile
    if profile is None or shift.role not in {r.role for r in profile.roles}:
        return False
    if shift.role == ShiftRole.INTERPRETER:
        return bool(set(profile.language_codes) & {lang.language for lang in hearing.languages})
    return True


# --- A person's case over time (issue 20): past hearings with reports, a series, a date to set ---

REPORT_JUDGES = ("Judge Rivera", "Judge Chen")


def _casework(
    session: Session, rng: random.Random, courts: list[Court], coordinator: User, volunteers: list[User]
) -> None:
    """Reports on past hearings (so court watch shows figures), a check-in series, a case to date."""
    now = utcnow()
    past = _reported_hearings(session, rng, courts[:2], coordinator, volunteers, now=now)
    checkin_court = courts[0]
    first_day = date.today() + timedelta(days=3)
    first = _demo_hearing(
        checkin_court,
        local_to_utc(first_day, time(9), checkin_court.timezone),
        HearingKind.ICE_CHECKIN,
        coordinator,
        "R.M.",
    )
    session.add(first)
    session.flush()
    series.start_series(
        session,
        actor=coordinator,
        hearing=first,
        spec=series.SeriesSpec(frequency=Frequency.WEEKLY, interval=2, count=8, weeks_ahead=6),
        now=now,
        settings=MatchSettings(),
    )
    awaiting.add_awaiting(
        session,
        actor=coordinator,
        court=past[0].court,
        kind=HearingKind.INDIVIDUAL,
        next_check_on=date.today(),
        today=date.today(),
        previous=past[0],
    )


def _demo_hearing(court: Court, starts_at: datetime, kind: HearingKind, creator: User, ref: str) -> Hearing:
    hearing = Hearing(
        court=court,
        starts_at=starts_at,
        duration_minutes=45 if kind == HearingKind.ICE_CHECKIN else 60,
        kind=kind,
        respondent_ref=ref,
        meeting_point="Lobby, by the elevators",
        date_confirmed=True,
        case_key=uuid.uuid4().hex,
        created_by_id=creator.id,
    )
    hearing.languages = [HearingLanguage(language="es")]
    start, end = default_shift_window(
        role=ShiftRole.ACCOMPANIER, hearing_start=starts_at, duration_minutes=hearing.duration_minutes
    )
    hearing.shifts = [Shift(role=ShiftRole.ACCOMPANIER, capacity=2, starts_at=start, ends_at=end)]
    return hearing


def _reported_hearings(
    session: Session,
    rng: random.Random,
    courts: list[Court],
    creator: User,
    volunteers: list[User],
    *,
    now: datetime,
) -> list[Hearing]:
    """Three months of past master hearings, each accompanied and reported, by court and judge."""
    made: list[Hearing] = []
    for months_back in (1, 2, 3):
        for court in courts:
            for judge in REPORT_JUDGES:
                for _ in range(rng.randint(4, 9)):
                    day = date.today() - timedelta(days=30 * months_back - rng.randint(0, 20))
                    starts_at = local_to_utc(day, time(9), court.timezone)
                    hearing = _demo_hearing(court, starts_at, HearingKind.MASTER, creator, "J.P.")
                    hearing.judge = judge
                    lead = volunteers[rng.randrange(len(volunteers))] if made else volunteers[0]
                    hearing.shifts[0].signups = [
                        Signup(
                            user_id=lead.id,
                            status=SignupStatus.CONFIRMED,
                            status_changed_at=now,
                            team_lead=True,
                        )
                    ]
                    session.add(hearing)
                    session.flush()
                    session.add(_report(rng, hearing, lead, court.timezone))
                    made.append(hearing)
    # Yesterday's hearing of the demo volunteer, not reported yet: "My reports" asks for it.
    court = courts[0]
    yesterday = _demo_hearing(
        court,
        local_to_utc(date.today() - timedelta(days=1), time(10), court.timezone),
        HearingKind.MASTER,
        creator,
        "L.G.",
    )
    yesterday.shifts[0].signups = [
        Signup(user_id=volunteers[0].id, status=SignupStatus.CONFIRMED, status_changed_at=now)
    ]
    session.add(yesterday)
    session.flush()
    made.sort(key=lambda h: h.starts_at, reverse=True)
    return made


def _report(rng: random.Random, hearing: Hearing, author: User, tz_name: str) -> HearingReport:
    held = rng.choices(list(HeldStatus), weights=(7, 2, 1))[0]
    interpreter = rng.random() < 0.85
    return HearingReport(
        hearing_id=hearing.id,
        author_id=author.id,
        court_id=hearing.court_id,
        held_month=to_local(hearing.starts_at, tz_name).strftime("%Y-%m"),
        held=held,
        outcome=HearingOutcome.CONTINUED if held != HeldStatus.HAPPENED else rng.choice(list(HearingOutcome)),
        interpreter_present=interpreter,
        interpreter_adequate=interpreter and rng.random() < 0.8,
        ice_present=rng.random() < 0.3,
        judge=hearing.judge,
        courtroom=str(rng.randint(1, 14)),
    )
