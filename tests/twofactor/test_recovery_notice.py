"""The "no recovery codes left" warning shows only when none are left, with the way to make new ones."""

from sqlalchemy import update

from scheduler.extensions import db
from scheduler.models.twofactor import RecoveryCode
from scheduler.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.security.helpers import enable_2fa, login_with_2fa


def test_the_warning_shows_only_with_no_codes_left_and_links_to_new_ones(app, client):
    volunteer = make_user()
    db.session.commit()
    enable_2fa(volunteer)
    login_with_2fa(client, volunteer, DEFAULT_PASSWORD)

    page = client.get("/account/two-step").get_data(as_text=True)
    assert "no recovery codes left" not in page and "unused recovery codes" in page

    db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == volunteer.id).values(used_at=utcnow())
    )
    db.session.commit()
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "no recovery codes left" in page
    assert 'href="#new-codes"' in page and 'id="new-codes"' in page
