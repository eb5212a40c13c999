"""Choosing which optional messages arrive, on the profile page and from a link in a message."""

from __future__ import annotations

import re
from datetime import timedelta

from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.notifications import preferences
from scheduler.notifications.scheduled import send_reminders
from scheduler.notifications.worker import send_once
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user
from tests.notifications.smtp.conftest import parts


def _prefs(user):
    return preferences.prefs_for(db.session, user.id, default_hours=[24, 2])


def test_the_profile_links_to_the_preferences_which_save(app, client, auth) -> None:
    user = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(user)
    assert "/account/notifications" in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Remind me 2 hours before a seat" in page and "Daily list of seats" in page
    response = client.post("/account/notifications", data={"reminder_2": "y", "late_drops": "y"})
    assert response.status_code == 302
    saved = _prefs(user)
    assert saved.reminder_hours == (2,) and saved.late_drops
    assert not saved.digest and not saved.invitations


def test_volunteers_do_not_see_the_coordinator_choices(app, client, auth) -> None:
    auth.login_as(make_user())
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Remind me 24 hours" in page and "Daily list of seats" not in page


def test_the_preferences_need_an_approved_account(app, client) -> None:
    assert client.get("/account/notifications").status_code == 302


def _reminder_with_link(smtp_server) -> tuple[object, str, object]:
    hearing = make_hearing(
        starts_at=(utcnow() + timedelta(hours=5)).replace(microsecond=0), seats={ShiftRole.ACCOMPANIER: 1}
    )
    user = make_user()
    make_signup(shift=hearing.shifts[0], user=user)
    db.session.commit()
    send_reminders(db.session)
    db.session.commit()
    send_once()
    [message] = smtp_server.messages
    link = re.search(
        r"https://accompany\.test(/notifications/unsubscribe/\S+)", parts(message)["text"]
    ).group(1)
    return user, link, message


def test_the_unsubscribe_link_asks_then_turns_that_kind_off(app, client, smtp_server) -> None:
    user, link, message = _reminder_with_link(smtp_server)
    assert message["List-Unsubscribe"] == f"<https://accompany.test{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = client.get(link)
    assert page.status_code == 200 and "Reminders before a seat" in page.get_data(as_text=True)
    assert _prefs(user).reminder_hours == (24, 2)  # a GET (a mail scanner) changes nothing
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You will no longer get" in done.get_data(as_text=True)
    db.session.expire_all()
    assert _prefs(user).reminder_hours == () and _prefs(user).digest


def test_the_one_click_post_works_with_csrf_on(app, client, smtp_server) -> None:
    user, link, _ = _reminder_with_link(smtp_server)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert _prefs(user).reminder_hours == ()


def test_a_changed_unsubscribe_link_is_refused(app, client, smtp_server) -> None:
    _, link, _ = _reminder_with_link(smtp_server)
    for bad in (link[:-4] + "abcd", "/notifications/unsubscribe/nonsense"):
        assert client.get(bad).status_code == 404
        assert client.post(bad).status_code == 404
