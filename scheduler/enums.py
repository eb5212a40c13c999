"""Enumerations shared by models, domain and views. Stored as their string values."""

from enum import StrEnum


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class UserStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class CourtKind(StrEnum):
    COURT = "court"
    ICE_OFFICE = "ice_office"


class HearingKind(StrEnum):
    MASTER = "master"
    INDIVIDUAL = "individual"
    BOND = "bond"
    ICE_CHECKIN = "ice_checkin"
    OTHER = "other"


class HearingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ShiftRole(StrEnum):
    ACCOMPANIER = "accompanier"
    INTERPRETER = "interpreter"
    DRIVER = "driver"
    OBSERVER = "observer"


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    DROPPED = "dropped"
    REMOVED = "removed"


class Attendance(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class FeedKind(StrEnum):
    PERSONAL = "personal"
    OPEN_SEATS = "open_seats"


class HeldStatus(StrEnum):
    """What happened at a hearing, as the volunteer who was there reports it."""

    HAPPENED = "happened"
    POSTPONED = "postponed"
    NOT_HELD = "not_held"


class HearingOutcome(StrEnum):
    UNKNOWN = "unknown"
    CONTINUED = "continued"
    RELIEF_GRANTED = "relief_granted"
    REMOVAL_ORDERED = "removal_ordered"
    CASE_CLOSED = "case_closed"
    OTHER = "other"


class CheckInState(StrEnum):
    """What a volunteer says on the day of their seat."""

    HERE = "here"
    LATE = "late"
    CANT_MAKE_IT = "cant_make_it"


class IncidentKind(StrEnum):
    PERSON_DETAINED = "person_detained"
    ICE_PRESENT = "ice_present"
    NEED_LAWYER = "need_lawyer"
    OTHER = "other"


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OnCallRole(StrEnum):
    RAPID_RESPONDER = "rapid_responder"
    COORDINATOR = "coordinator"
    LAWYER = "lawyer"
