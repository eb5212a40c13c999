"""Changes through the API: the pages' services and refusals, and retries that do not act twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.enums import HearingStatus, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import AuditEvent, Hearing, NotificationIntent, Signup
from scheduler.types import utcnow
from tests.factories import make_api_token, make_court, make_hearing, make_signup, make_user


def _new_hearing(court_id: int, **extra) -> dict:
    return {
        "court_id": court_id,
        "date": "2099-03-03",
        "time": "09:00",
        "kind": "master",
        "duration_minutes": 60,
        "languages": ["es", "mam"],
        "seats": {"accompanier": {"count": 2}, "interpreter": {"count": 1}},
        **extra,
    }


@pytest.fixture
def desk(app) -> dict:
    court = make_court(name="Desk Court", timezone="America/Denver")
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    outsider = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    volunteer = make_user()
    tokens = {
        "coordinator": make_api_token(coordinator),
        "outsider": make_api_token(outsider),
        "volunteer": make_api_token(volunteer),
    }
    db.session.commit()
    return {"court": court, "coordinator": coordinator, "volunteer": volunteer, "tokens": tokens}


def test_posting_a_hearing_goes_through_the_schedule_service(app, api, desk) -> None:
    made = api.post("hearings", desk["tokens"]["coordinator"], json=_new_hearing(desk["court"].id))
    assert made.status_code == 201, made.json
    body = made.json
    assert body["starts_at"] == "2099-03-03T09:00:00-07:00" and body["timezone"] == "America/Denver"
    assert sorted(s["role"] for s in body["shifts"]) == ["accompanier", "interpreter"]
    assert body["respondent_ref"] is None  # a write answer never carries private details
    created = select(AuditEvent).where(
        AuditEvent.action == "hearing.created", AuditEvent.object_id == body["id"]
    )
    assert db.session.scalar(created).actor_id == desk["coordinator"].id


def test_the_domain_refuses_field_by_field_in_the_pages_words(app, api, desk) -> None:
    token = desk["tokens"]["coordinator"]
    past = api.post("hearings", token, json=_new_hearing(desk["court"].id, date="2001-01-01"), lang="es")
    assert past.status_code == 422
    assert past.json["errors"][0]["field"] == "date" and past.json["errors"][0]["code"] == "in_past"
    assert past.json["errors"][0]["detail"].startswith("Esta fecha y hora ya pasaron")
    seats = _new_hearing(desk["court"].id, seats={"driver": {"count": 1, "start": "10:00", "end": "09:00"}})
    wrong = api.post("hearings", token, json=seats).json["errors"]
    assert wrong == [
        {
            "field": "seats.driver.end",
            "in": "json",
            "detail": "The end must be after the start.",
            "code": "end_before_start",
        }
    ]
    outside = api.post("hearings", desk["tokens"]["outsider"], json=_new_hearing(desk["court"].id))
    assert outside.status_code == 422 and outside.json["code"] == "unknown_court"
    assert (
        api.post("hearings", desk["tokens"]["volunteer"], json=_new_hearing(desk["court"].id)).status_code
        == 403
    )


def test_a_retried_create_with_the_same_key_answers_the_same_and_posts_once(app, api, desk) -> None:
    token, body = desk["tokens"]["coordinator"], _new_hearing(desk["court"].id)
    key = {"Idempotency-Key": "import-row-17"}
    first = api.post("hearings", token, json=body, headers=key)
    again = api.post("hearings", token, json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(Hearing.id))) == 1
    other = api.post("hearings", token, json={**body, "time": "10:00"}, headers=key)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    bad = api.post("hearings", token, json=body, headers={"Idempotency-Key": "x" * 201})
    assert bad.status_code == 400


def test_edit_move_and_cancel_tell_the_people_on_it(app, api, desk) -> None:
    hearing = make_hearing(court=desk["court"], private_notes="Keep me", judge="Judge Kept")
    make_signup(shift=hearing.shifts[0], user=desk["volunteer"])
    db.session.commit()
    token, path = desk["tokens"]["coordinator"], f"hearings/{hearing.id}"
    edited = api.call(
        "PATCH", path, token, json={"kind": "individual", "duration_minutes": 120, "meeting_point": "Door B"}
    )
    assert edited.status_code == 200 and edited.json["kind"] == "individual"
    assert edited.json["judge"] == "Judge Kept" and edited.json["languages"] == ["es"]  # not sent: kept
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).private_notes == "Keep me"
    moved = api.post(
        f"{path}/reschedule", token, json={"date": "2099-05-05", "time": "13:30", "courtroom": "4B"}
    )
    assert moved.status_code == 200 and moved.json["starts_at"] == "2099-05-05T13:30:00-06:00"
    assert moved.json["courtroom"] == "4B"
    cancelled = api.post(f"{path}/cancel", token, json={"reason": "Court closed"})
    assert cancelled.json["status"] == HearingStatus.CANCELLED.value
    again = api.post(f"{path}/cancel", token, json={"reason": "Court closed"})
    assert again.status_code == 409 and again.json["code"] == "cancelled"
    kinds = set(db.session.scalars(select(NotificationIntent.kind)))
    assert {"hearing_details_changed", "hearing_rescheduled", "hearing_cancelled"} <= kinds
    assert api.post(f"{path}/cancel", desk["tokens"]["outsider"], json={"reason": "x"}).status_code == 403


def test_claiming_follows_the_pages_rules_and_words(app, api, desk) -> None:
    hearing = make_hearing(court=desk["court"], seats={ShiftRole.ACCOMPANIER: 1, ShiftRole.INTERPRETER: 1})
    make_signup(shift=hearing.shifts[0], user=make_user())  # the one accompanier seat is taken
    db.session.commit()
    token = desk["tokens"]["volunteer"]
    full = api.post(f"shifts/{hearing.shifts[0].id}/claim", token, json={}, lang="es")
    assert full.status_code == 409 and full.json["code"] == "full"
    assert full.json["detail"] == "Este turno se acaba de llenar. Puede anotarse en la lista de espera."
    waiting = api.post(f"shifts/{hearing.shifts[0].id}/claim", token, json={"waitlist": True})
    assert waiting.status_code == 201 and waiting.json["outcome"] == "waitlisted"
    refused = api.post(f"shifts/{hearing.shifts[1].id}/claim", token, json={})
    assert refused.status_code == 409 and refused.json["code"] == "refused"
    assert refused.json["errors"] == [
        {"code": "no_shared_language", "detail": "This seat needs someone who speaks Spanish."}
    ]
    assert api.post("shifts/2147483647/claim", token, json={}).status_code == 404


def test_a_retried_claim_does_not_claim_twice(app, api, desk) -> None:
    hearing = make_hearing(court=desk["court"])
    db.session.commit()
    token, path = desk["tokens"]["volunteer"], f"shifts/{hearing.shifts[0].id}/claim"
    first = api.post(path, token, json={}, headers={"Idempotency-Key": "tap-1"})
    again = api.post(path, token, json={}, headers={"Idempotency-Key": "tap-1"})
    assert first.status_code == again.status_code == 201 and again.json == first.json
    assert db.session.scalar(select(func.count(Signup.id))) == 1


def test_a_late_drop_needs_a_reason_and_alerts_the_coordinators(app, api, desk) -> None:
    soon = make_hearing(court=desk["court"], starts_at=(utcnow() + timedelta(hours=5)).replace(microsecond=0))
    make_signup(shift=soon.shifts[0], user=desk["volunteer"])
    db.session.commit()
    token, path = desk["tokens"]["volunteer"], f"shifts/{soon.shifts[0].id}/drop"
    refused = api.post(path, token, json={})
    assert refused.status_code == 422 and refused.json["code"] == "reason_required"
    assert "Please say why you cannot come" in refused.json["detail"]
    dropped = api.post(path, token, json={"reason": "Sick"})
    assert dropped.status_code == 200 and dropped.json == {"shift_id": soon.shifts[0].id, "late": True}
    assert "late_drop" in set(db.session.scalars(select(NotificationIntent.kind)))
    assert api.post(path, token, json={"reason": "Sick"}).json["code"] == "not_holding"


@pytest.mark.committed
def test_two_identical_claims_at_once_claim_once_on_postgresql(app, backend) -> None:
    if backend != "postgresql":
        pytest.skip("the race on the key's unique index is PostgreSQL's; SQLite runs writes one at a time")
    hearing, volunteer = make_hearing(), make_user()
    token = make_api_token(volunteer)
    db.session.commit()
    barrier, answers = threading.Barrier(2), []
    path = f"/api/v1/shifts/{hearing.shifts[0].id}/claim"

    def claim() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            path, json={}, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"}
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a[0] for a in answers] == [201, 201] and answers[0][1] == answers[1][1]
    db.session.expire_all()
    rows = list(db.session.scalars(select(Signup).where(Signup.shift_id == hearing.shifts[0].id)))
    assert [r.status for r in rows] == [SignupStatus.CONFIRMED]


def test_the_daily_purge_forgets_retry_keys_after_a_day(app, api, desk) -> None:
    from scheduler.models import IdempotentResponse
    from scheduler.privacy import retention

    hearing = make_hearing(court=desk["court"])
    db.session.commit()
    api.post(
        f"shifts/{hearing.shifts[0].id}/claim",
        desk["tokens"]["volunteer"],
        json={},
        headers={"Idempotency-Key": "a"},
    )
    assert retention.purge(db.session(), now=utcnow()).idempotency_keys_removed == 0
    later = utcnow() + timedelta(hours=25)
    assert retention.purge(db.session(), now=later).idempotency_keys_removed == 1
    assert db.session.scalar(select(func.count(IdempotentResponse.id))) == 0


def test_an_a_number_is_refused_in_every_text_an_edit_writes(app, api, desk) -> None:
    """The schedule service refuses it (not only the forms), so the API says which field, and
    nothing is written; an old value already stored does not block an unrelated edit."""
    hearing = make_hearing(court=desk["court"], judge="A 123 456 789")  # stored before the rule
    db.session.commit()
    token, path = desk["tokens"]["coordinator"], f"hearings/{hearing.id}"
    a_number = "A-098-765-432"
    for method, url, body, field in (
        ("PATCH", path, {"public_notes": f"Ask for {a_number}"}, "public_notes"),
        (
            "POST",
            f"{path}/reschedule",
            {"date": "2099-05-05", "time": "13:30", "courtroom": a_number},
            "courtroom",
        ),
        ("POST", f"{path}/cancel", {"reason": f"Moved, see {a_number}"}, "reason"),
    ):
        refused = api.call(method, url, token, json=body)
        assert refused.status_code == 422, (url, refused.json)
        assert [(e["field"], e["code"]) for e in refused.json["errors"]] == [(field, "a_number")]
    db.session.expire_all()
    kept = db.session.get(Hearing, hearing.id)
    assert kept.status == HearingStatus.SCHEDULED and kept.public_notes == "" and kept.courtroom != a_number
    edited = api.call("PATCH", path, token, json={"meeting_point": "Door B"})
    assert edited.status_code == 200


def test_the_schedule_service_refuses_an_a_number_whoever_calls(app, desk) -> None:
    """A series cancelled from casework, or any later caller, goes through the same refusal."""
    from scheduler.errors import ServiceError
    from scheduler.hearings import schedule

    hearing = make_hearing(court=desk["court"])
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        schedule.cancel_hearing(db.session, actor=desk["coordinator"], hearing=hearing, reason="A123456789")
    assert (refused.value.code, refused.value.field) == ("a_number", "reason")
    assert hearing.status == HearingStatus.SCHEDULED
