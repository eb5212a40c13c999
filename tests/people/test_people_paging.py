"""The people list pages without counting everyone (issue 18 item 1, "pages that page").

A page reads 50 people and one more (the extra only says a next page exists): the same
statements for 3 people as for 60, no COUNT(*), "Page 1" and a next link instead of
"Page 1 of N". The search matches anywhere in a name or email, with ILIKE (what PostgreSQL's
trigram indexes answer), and takes % and _ literally.
"""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.people import listing
from tests.factories import make_user
from tests.statements import statements

PEOPLE = "/people/?status=pending"


def _pending(n: int, start: int = 0) -> None:
    for k in range(start, start + n):
        make_user(status=UserStatus.PENDING, languages=("es",), display_name=f"Pending person {k:03d}")
    db.session.commit()


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_the_people_list_runs_the_same_statements_for_few_and_many_people(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    _pending(3)
    auth.login_as(coordinator)
    client.get(PEOPLE)  # templates, caches, the signed-in person in the session
    few = statements(lambda: client.get(PEOPLE))
    _pending(57, start=3)
    client.get(PEOPLE)
    many = statements(lambda: client.get(PEOPLE))
    assert len(few) > 3 and len(many) == len(few), many
    assert not [s for s in many if "count(" in s.lower()], "a page of people counts every person"


def test_a_page_of_people_links_to_the_next_without_a_total(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    _pending(60)
    auth.login_as(coordinator)

    first = client.get(PEOPLE).get_data(as_text=True)
    assert first.count("Pending person") == 50
    assert "Pending person 059" in first and "Pending person 009" not in first  # newest first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1" in first and "Page 1 of" not in first

    second = client.get(PEOPLE + "&page=2").get_data(as_text=True)
    assert second.count("Pending person") == 10 and "Pending person 000" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second

    beyond = client.get(PEOPLE + "&page=9")
    assert beyond.status_code == 200 and 'rel="prev"' in beyond.get_data(as_text=True)


def test_exactly_a_page_of_people_has_no_next_link(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    _pending(50)
    auth.login_as(coordinator)
    page = client.get(PEOPLE).get_data(as_text=True)
    assert page.count("Pending person") == 50 and 'rel="next"' not in page


def test_the_search_finds_a_part_of_a_name_or_an_email_and_takes_wildcards_literally(app) -> None:
    make_user(display_name="Rosa Martínez", email="rosa@example.test", status=UserStatus.PENDING)
    make_user(display_name="Juan 100% Pérez", email="juan_p@example.test", status=UserStatus.PENDING)
    make_user(display_name="Ana Gómez", email="anaxp@example.test", status=UserStatus.PENDING)
    db.session.flush()

    def names(search: str) -> set[str]:
        found = listing.people_page(db.session, status="all", search=search, page=1, per_page=50)
        return {p.display_name for p in found.rows}

    assert names("MART") == {"Rosa Martínez"}
    assert names("ROSA@") == {"Rosa Martínez"}
    assert names("100%") == {"Juan 100% Pérez"}
    assert names("n_p") == {"Juan 100% Pérez"}  # "_" is not "any one character" ("anaxp" has none)


def test_the_search_asks_postgresql_for_ilike_on_both_columns(app) -> None:
    """ILIKE '%...%' is what the trigram indexes on users' name and email answer."""
    sql = str(listing.people_query(status="all", search="ana").compile(dialect=postgresql.dialect()))
    assert "users.email ILIKE" in sql and "users.display_name ILIKE" in sql
