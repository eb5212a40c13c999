"""The input guard (scheduler/web/inputguard.py): where each kind of hostile input is stopped."""

from __future__ import annotations

import html

from flask_wtf import FlaskForm
from wtforms import DateTimeField, IntegerField, SelectMultipleField
from wtforms.fields.core import UnboundField

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.web.inputguard import GuardedForm
from tests.factories import make_court, make_hearing, make_user
from tests.security.test_hostile_input import _sign_in

GUARDED_FIELDS = (IntegerField, DateTimeField, SelectMultipleField)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_form_with_a_number_a_date_or_a_multiple_choice_is_guarded(app) -> None:
    """A new form of that kind built on FlaskForm alone would skip the bounds: name it here."""
    unguarded = []
    for form in _subclasses(FlaskForm):
        if not form.__module__.startswith("scheduler."):
            continue
        fields = [getattr(form, name) for name in dir(form)]
        guarded_kind = any(
            isinstance(f, UnboundField) and issubclass(f.field_class, GUARDED_FIELDS) for f in fields
        )
        if guarded_kind and not issubclass(form, GuardedForm):
            unguarded.append(f"{form.__module__}.{form.__qualname__}")
    assert not unguarded, f"build these on scheduler.web.inputguard.GuardedForm: {unguarded}"


def test_a_nul_byte_is_a_400_in_the_persons_language(app) -> None:
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": "a\x00@example.org", "password": "x"}, headers={"Accept-Language": "es"}
    )
    assert response.status_code == 400
    assert "Lo que envió contiene un carácter que no se permite" in html.unescape(
        response.get_data(as_text=True)
    )
    assert client.get("/courts/?q=a%00b").status_code in (302, 400)  # anonymous: sign in first, or 400


def test_ids_past_the_integer_column_are_404(app) -> None:
    hearing = make_hearing(court=make_court())
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    client = app.test_client()
    _sign_in(client, admin.id)
    assert client.get(f"/hearings/{hearing.id}").status_code == 200
    for too_big in (2**31, 2**63, 10**30):
        assert client.get(f"/hearings/{too_big}").status_code == 404
    assert client.get("/hearings/?page=9223372036854775808").status_code == 404
    assert client.get("/hearings/?page=abc&court=9223372036854775808").status_code == 200


def test_a_date_past_2100_is_a_form_error_beside_the_field(app) -> None:
    hearing = make_hearing(court=make_court())
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    client = app.test_client()
    _sign_in(client, admin.id)
    response = client.post(
        f"/hearings/{hearing.id}/reschedule", data={"date": "9999-12-31", "time": "10:00", "reason": "x"}
    )
    assert response.status_code in (200, 400)
    assert "Enter a date between 1900 and 2100." in html.unescape(response.get_data(as_text=True))
