"""A courtroom typed with its own word is not shown as "Courtroom Courtroom 4"."""

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.web.templating import courtroom_label
from tests.factories import make_hearing, make_user


def test_the_label_adds_the_word_only_when_missing(app):
    with app.test_request_context():
        assert courtroom_label("4") == "Courtroom 4"
        assert courtroom_label("Courtroom 4") == "Courtroom 4"
        assert courtroom_label("courtroom  12B") == "courtroom  12B"
        assert courtroom_label("Room 3") == "Room 3"
        assert courtroom_label("Roomy 3") == "Courtroom Roomy 3"
        assert courtroom_label(None) == ""


def test_the_hearing_page_says_courtroom_once(app, client, auth):
    hearing = make_hearing(courtroom="Courtroom 4")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "Courtroom 4" in page
    assert "Courtroom Courtroom" not in page
