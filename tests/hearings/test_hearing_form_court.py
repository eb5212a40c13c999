"""The new-hearing form starts with the coordinator's only court or the last one used, else none."""

import re

from scheduler.enums import Role
from scheduler.extensions import db
from tests.factories import make_court, make_hearing, make_user


def _selected(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="court_id".*?</select>', page, re.S).group(0)
    return re.findall(
        r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected', select
    )


def _chosen(page: str) -> set[str]:
    return {a or b for a, b in _selected(page)}


def test_no_arbitrary_court_then_the_last_one_used(app, client, auth):
    first, second = make_court(name="Aaa Court"), make_court(name="Bbb Court")
    coordinator = make_user(role=Role.COORDINATOR, courts=(first, second))
    db.session.commit()
    auth.login_as(coordinator)

    page = client.get("/hearings/new").get_data(as_text=True)
    assert _chosen(page) == set()
    assert "Choose a court" in page

    make_hearing(court=second, created_by_id=coordinator.id)
    db.session.commit()
    assert _chosen(client.get("/hearings/new").get_data(as_text=True)) == {str(second.id)}


def test_the_only_court_is_chosen(app, client, auth):
    only = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(only,))
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get("/hearings/new").get_data(as_text=True)
    assert _chosen(page) == {str(only.id)}
    assert "Choose a court" not in page


def test_posting_without_a_court_asks_for_one(app, client, auth):
    coordinator = make_user(role=Role.COORDINATOR, courts=(make_court(), make_court()))
    db.session.commit()
    auth.login_as(coordinator)
    response = client.post("/hearings/new", data={"court_id": "0", "date": "2030-01-01", "time": "09:00"})
    assert response.status_code == 200
    assert "Choose a court." in response.get_data(as_text=True)
