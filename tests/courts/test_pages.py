"""Coordinators keep the list of courts and ICE offices."""

from sqlalchemy import func, select

from scheduler.enums import CourtKind, Role
from scheduler.extensions import db
from scheduler.models import AuditEvent, Court
from tests.factories import make_court, make_user

GOOD = {
    "name": "Tucson Immigration Court",
    "kind": "court",
    "code": "TUC",
    "address": "300 W Congress St",
    "city": "Tucson",
    "state": "az",
    "timezone": "America/Phoenix",
    "notes": "Security line is slow on Mondays.",
    "active": "y",
}


def _login_coordinator(client, auth):
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    return coordinator


def test_coordinator_adds_a_court(app, client, auth) -> None:
    _login_coordinator(client, auth)
    response = client.post("/courts/new", data=GOOD)
    assert response.status_code == 302
    court = db.session.scalar(select(Court).where(Court.code == "TUC"))
    assert (court.state, court.timezone, court.kind, court.active) == (
        "AZ",
        "America/Phoenix",
        CourtKind.COURT,
        True,
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "court.created")) is not None
    assert "Tucson Immigration Court" in client.get("/courts/").get_data(as_text=True)


def test_coordinator_adds_an_ice_office(app, client, auth) -> None:
    _login_coordinator(client, auth)
    data = {**GOOD, "name": "Tucson ICE Field Office", "kind": "ice_office", "code": ""}
    assert client.post("/courts/new", data=data).status_code == 302
    office = db.session.scalar(select(Court).where(Court.name == "Tucson ICE Field Office"))
    assert office.kind == CourtKind.ICE_OFFICE
    assert office.code is None


def test_bad_input_is_shown_beside_the_fields_and_nothing_is_saved(app, client, auth) -> None:
    _login_coordinator(client, auth)
    response = client.post("/courts/new", data={**GOOD, "timezone": "Mars/Olympus", "state": "Arizona"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This is not a time zone name we know" in page
    assert "Use the two-letter state code." in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(func.count()).select_from(Court)) == 0


def test_duplicate_name_or_code_is_refused(app, client, auth) -> None:
    make_court(name="Tucson Immigration Court", code="TUC")
    _login_coordinator(client, auth)
    page = client.post("/courts/new", data=GOOD).get_data(as_text=True)
    assert "Another court already has this name." in page
    assert "Another court already has this code." in page
    assert db.session.scalar(select(func.count()).select_from(Court)) == 1


def test_coordinator_edits_a_court_keeping_its_own_name(app, client, auth) -> None:
    court = make_court(name="Tucson Immigration Court", code="TUC")
    _login_coordinator(client, auth)
    form = client.get(f"/courts/{court.id}/edit").get_data(as_text=True)
    assert 'value="Tucson Immigration Court"' in form
    response = client.post(f"/courts/{court.id}/edit", data={**GOOD, "city": "Tucson AZ", "active": ""})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Court, court.id)
    assert saved.city == "Tucson AZ"
    assert saved.active is False


def test_editing_an_unknown_court_is_404(app, client, auth) -> None:
    _login_coordinator(client, auth)
    assert client.get("/courts/999999/edit").status_code == 404


def test_court_list_search(app, client, auth) -> None:
    make_court(name="Denver Immigration Court", city="Denver", state="CO")
    make_court(name="Miami Immigration Court", city="Miami", state="FL")
    _login_coordinator(client, auth)
    page = client.get("/courts/?q=denver").get_data(as_text=True)
    assert "Denver Immigration Court" in page
    assert "Miami Immigration Court" not in page


def test_a_coordinator_scoped_to_other_courts_cannot_edit_this_one(app, client, auth) -> None:
    mine, theirs = make_court(), make_court(timezone="America/New_York")
    coordinator = make_user(role=Role.COORDINATOR, courts=(mine,))
    db.session.commit()
    auth.login_as(coordinator)
    assert client.get(f"/courts/{theirs.id}/edit").status_code == 403
    changed = {**GOOD, "timezone": "America/Los_Angeles"}
    assert client.post(f"/courts/{theirs.id}/edit", data=changed).status_code == 403
    db.session.expire_all()
    assert db.session.get(Court, theirs.id).timezone == "America/New_York"
    listing = client.get("/courts/").get_data(as_text=True)
    assert f"/courts/{mine.id}/edit" in listing and f"/courts/{theirs.id}/edit" not in listing
