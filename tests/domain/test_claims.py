"""Claim decisions, the drop cutoff, waitlist order and hand-over expiry, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.domain.claims import (
    AlreadyStarted,
    ClaimOutcome,
    ReasonRequired,
    WaitlistEntry,
    check_drop,
    decide_claim,
    handover_expired,
    may_offer_handover,
    next_in_line,
    not_overridable,
    waitlist_order,
)
from scheduler.domain.eligibility import Reason, Refusal

START = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)
CUTOFF = timedelta(hours=24)


def test_free_seat_is_confirmed_and_full_shift_offers_the_waitlist():
    assert decide_claim(refusals=[], confirmed=2, capacity=3, join_waitlist=False) == ClaimOutcome.CONFIRMED
    assert decide_claim(refusals=[], confirmed=3, capacity=3, join_waitlist=False) == ClaimOutcome.FULL
    assert decide_claim(refusals=[], confirmed=3, capacity=3, join_waitlist=True) == ClaimOutcome.WAITLISTED


def test_an_ineligible_person_gets_no_waitlist_place_either():
    refusals = [Refusal(Reason.NO_CAR)]
    assert (
        decide_claim(refusals=refusals, confirmed=0, capacity=3, join_waitlist=True) == ClaimOutcome.REFUSED
    )


def test_drop_before_the_cutoff_is_free_and_needs_no_reason():
    now = START - CUTOFF - timedelta(minutes=1)
    assert check_drop(starts_at=START, now=now, cutoff=CUTOFF, reason="", confirmed=True) is False


def test_drop_after_the_cutoff_needs_a_reason_and_is_late():
    now = START - CUTOFF
    with pytest.raises(ReasonRequired):
        check_drop(starts_at=START, now=now, cutoff=CUTOFF, reason="   ", confirmed=True)
    assert check_drop(starts_at=START, now=now, cutoff=CUTOFF, reason="I am ill", confirmed=True) is True


def test_leaving_a_waitlist_is_always_free_but_nothing_is_dropped_once_started():
    assert (
        check_drop(starts_at=START, now=START - timedelta(hours=1), cutoff=CUTOFF, reason="", confirmed=False)
        is False
    )
    with pytest.raises(AlreadyStarted):
        check_drop(starts_at=START, now=START, cutoff=CUTOFF, reason="late", confirmed=True)


def entry(signup_id: int, minutes: int) -> WaitlistEntry:
    return WaitlistEntry(signup_id, 100 + signup_id, START - timedelta(days=2, minutes=-minutes))


def test_waitlist_is_first_come_first_served_with_id_breaking_ties():
    entries = [entry(3, 10), entry(1, 20), entry(2, 10)]
    assert [e.signup_id for e in waitlist_order(entries)] == [2, 3, 1]


def test_next_in_line_skips_people_who_no_longer_fit():
    entries = [entry(1, 0), entry(2, 5), entry(3, 10)]
    ineligible = {101}
    chosen = next_in_line(
        entries=entries,
        refusals_for=lambda e: [Refusal(Reason.WEEKLY_CAP)] if e.user_id in ineligible else [],
    )
    assert chosen is not None and chosen.signup_id == 2
    assert next_in_line(entries=entries, refusals_for=lambda e: [Refusal(Reason.OVERLAP)]) is None


def test_handover_offers_are_made_before_the_cutoff_and_expire_at_it():
    before = START - CUTOFF - timedelta(seconds=1)
    assert may_offer_handover(starts_at=START, now=before, cutoff=CUTOFF)
    assert not handover_expired(starts_at=START, now=before, cutoff=CUTOFF)
    assert not may_offer_handover(starts_at=START, now=START - CUTOFF, cutoff=CUTOFF)
    assert handover_expired(starts_at=START, now=START - CUTOFF, cutoff=CUTOFF)


def test_approval_and_cancellation_cannot_be_overridden():
    refusals = [Refusal(Reason.NOT_APPROVED), Refusal(Reason.WEEKLY_CAP), Refusal(Reason.CANCELLED)]
    assert {r.reason for r in not_overridable(refusals)} == {Reason.NOT_APPROVED, Reason.CANCELLED}
