"""All models, importable from one place (Alembic's autogenerate needs them all loaded)."""

# local_week registers the flush hook that keeps each shift's place in its court's local week.
from scheduler.models import local_week  # noqa: F401
from scheduler.models.api_token import ApiToken, IdempotentResponse
from scheduler.models.audit import AuditEvent
from scheduler.models.casework import AwaitingDate, HearingReport, HearingSeries, SeriesOccurrence
from scheduler.models.channels import PhoneNumber, PushSubscription
from scheduler.models.court import Court
from scheduler.models.court_card import CourtCard
from scheduler.models.feed_cache import FeedEventCache
from scheduler.models.feed_change import FEED_NEUTRAL, FeedChange, FeedRevision
from scheduler.models.feed_stamp_cache import FeedStampCache
from scheduler.models.hearing import Hearing, HearingLanguage, Shift
from scheduler.models.intent import IntentStatus, NotificationIntent
from scheduler.models.invitation import Invitation, InvitationStatus
from scheduler.models.outbox import NotificationPreference, OutboxMessage, OutboxStatus
from scheduler.models.response import Incident, IncidentRecipient, OnCallEntry, SeatCheckIn
from scheduler.models.security import FeedToken, PasswordResetToken
from scheduler.models.signup import Signup
from scheduler.models.twofactor import RecoveryCode, SiteSetting, TwoFactorSecret
from scheduler.models.user import (
    AvailabilityWindow,
    BlackoutDate,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
    coordinator_courts,
    volunteer_preferred_courts,
)
from scheduler.models.user_session import UserSession

__all__ = [
    "FEED_NEUTRAL",
    "ApiToken",
    "AuditEvent",
    "AvailabilityWindow",
    "AwaitingDate",
    "BlackoutDate",
    "Court",
    "CourtCard",
    "FeedChange",
    "FeedEventCache",
    "FeedRevision",
    "FeedStampCache",
    "FeedToken",
    "Hearing",
    "HearingLanguage",
    "HearingReport",
    "HearingSeries",
    "IdempotentResponse",
    "Incident",
    "IncidentRecipient",
    "IntentStatus",
    "Invitation",
    "InvitationStatus",
    "NotificationIntent",
    "NotificationPreference",
    "OnCallEntry",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordResetToken",
    "PhoneNumber",
    "PushSubscription",
    "RecoveryCode",
    "SeatCheckIn",
    "SeriesOccurrence",
    "Shift",
    "Signup",
    "SiteSetting",
    "TwoFactorSecret",
    "User",
    "UserSession",
    "VolunteerLanguage",
    "VolunteerProfile",
    "VolunteerRole",
    "VolunteerTraining",
    "coordinator_courts",
    "volunteer_preferred_courts",
]
