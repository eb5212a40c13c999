from sqlalchemy import func, select

from scheduler.courts import catalogue as court_service
from scheduler.extensions import db
from scheduler.models import Court
from tests.factories import make_court

HEADER = "code,name,city,state,address,timezone\n"


def test_import_adds_new_courts_and_updates_known_ones_by_name(app) -> None:
    make_court(name="Denver Immigration Court", city="Old", timezone="America/Denver")
    result = court_service.import_courts(
        db.session,
        text=HEADER
        + "DEN,denver immigration court,Denver,CO,1961 Stout St,America/Denver\n"
        + "PHO,Phoenix Immigration Court,Phoenix,AZ,250 N 7th Ave,America/Phoenix\n",
        actor=None,
    )
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    denver = db.session.scalar(select(Court).where(Court.code == "DEN"))
    assert denver.city == "Denver"


def test_import_with_a_bad_row_changes_nothing(app) -> None:
    result = court_service.import_courts(
        db.session,
        text=HEADER
        + "PHO,Phoenix Immigration Court,Phoenix,AZ,250 N 7th Ave,America/Phoenix\n"
        + "XXX,Nowhere Court,Nowhere,ZZ,1 Road,Mars/Olympus\n",
        actor=None,
    )
    assert result.created == 0
    assert [e.line for e in result.errors] == [3]
    assert db.session.scalar(select(func.count()).select_from(Court)) == 0


def test_name_and_code_uniqueness_checks_ignore_the_court_itself(app) -> None:
    court = make_court(name="Miami Immigration Court", code="MIA")
    assert court_service.name_taken(db.session, name="Miami Immigration Court")
    assert not court_service.name_taken(db.session, name="Miami Immigration Court", except_id=court.id)
    assert court_service.code_taken(db.session, code="MIA")
    assert not court_service.code_taken(db.session, code="MIA", except_id=court.id)
