"""The main journeys, at phone and laptop size, in English and Spanish.

Every page visited goes through ``Browse.check`` (tests/browser/conftest.py): it fits the
width, has no serious or critical axe-core violation, no console error, no failed sub-request.
"""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.demo.seed import DEMO_PASSWORD
from tests.browser.conftest import LONG_PERSON, PASSWORD

FIND_SEATS = {"en": "Find open shifts", "es": "Buscar turnos abiertos"}


def _volunteer_email(browse) -> str:
    return f"new-{browse.size}-{browse.lang}@example.org"


def _coordinator(browse, journey: str) -> str:
    return browse.server.facts["coordinators"][f"{journey}-{browse.size}-{browse.lang}"]


def _flash_ok(browse) -> None:
    flashes = browse.page.locator(".flash")
    assert flashes.count() >= 1, "no message after the action"
    assert browse.page.locator(".flash-error").count() == 0, flashes.all_inner_texts()


def test_volunteer_registers_is_approved_and_claims_a_seat(browse):
    page = browse.page
    email = _volunteer_email(browse)

    # A new volunteer registers and sees the pending page.
    browse.go("/auth/register", shot="register")
    browse.fill("input[name=display_name]", f"Nueva Voluntaria {browse.size} {browse.lang}")
    browse.fill("input[name=email]", email)
    browse.fill("input[name=password]", PASSWORD)
    browse.fill("input[name=confirm]", PASSWORD)
    browse.click("main form button[type=submit]", shot="registered")
    assert "/auth/registered" in page.url

    # A coordinator signs in with the second step and approves them.
    coordinator = _coordinator(browse, "approve")
    browse.sign_in(coordinator, totp_for=coordinator)
    browse.go(f"/people/?status=pending&q={email}", shot="people-pending")
    browse.click(page.get_by_role("link", name=f"Nueva Voluntaria {browse.size} {browse.lang}"))
    browse.click("form[action$='/status']:has(input[value=approved]) button", shot="person")
    _flash_ok(browse)
    browse.sign_out()

    # The volunteer sets languages, roles and availability.
    browse.sign_in(email)
    browse.use_language()
    browse.go("/account/volunteer")
    page.check("input[name=languages][value=es]")
    page.check("input[name=languages][value=en]")
    page.check("input[name=roles][value=accompanier]")
    for weekday in range(7):
        browse.fill(f"input[name=avail_{weekday}_start]", "07:00")
        browse.fill(f"input[name=avail_{weekday}_end]", "20:00")
    browse.click("form button[type=submit]:not(.link-button):not([name=lang])", shot="volunteer-profile")
    _flash_ok(browse)

    # Finds a seat and claims it from home in two taps and no typing, then sees it in
    # commitments with a calendar link.
    browse.go("/", shot="home-volunteer")
    taps, typed = browse.taps, browse.typed
    browse.click(page.get_by_role("link", name=FIND_SEATS[browse.lang]), shot="open-shifts")
    browse.click(page.locator("main form[action$='/claim'] button").first)
    _flash_ok(browse)
    assert (browse.taps - taps, browse.typed - typed) == (2, 0)
    assert "/shifts/" in page.url
    browse.go("/commitments", shot="commitments")
    assert page.locator("a[href*='/feeds/event/']").count() >= 1
    browse.go("/account/calendar", shot="calendar-link")

    # Makes an API token for a helper bot (shown once, on a phone too) and reads the API's page.
    browse.go("/account/api-tokens")
    browse.fill("input[name=name]", "Signal bot")
    browse.click("main form:has(input[name=name]) button[type=submit]", shot="api-token")
    assert page.locator("code.secret").inner_text().startswith("acc_")
    browse.go("/api/v1/docs", shot="api-docs")


def test_coordinator_posts_reschedules_cancels_and_imports(browse, tmp_path):
    page = browse.page
    coordinator = _coordinator(browse, "post")
    browse.sign_in(coordinator, totp_for=coordinator)
    browse.go("/", shot="home-coordinator")
    browse.go("/hearings/", shot="hearings")
    browse.go("/hearings/calendar", shot="calendar-month")
    browse.click(page.locator("a[rel=next]"))

    # Post a hearing.
    day = date.today() + timedelta(days=20)
    browse.go("/hearings/new", shot="hearing-new")
    page.select_option("select[name=court_id]", label="Chicago Immigration Court (IL)")
    browse.fill("input[name=date]", day.isoformat())
    browse.fill("input[name=time]", "09:30")
    browse.fill("input[name=courtroom]", "4")
    browse.click("form.hearing-form button[type=submit]", shot="hearing-show")
    _flash_ok(browse)
    assert "Courtroom Courtroom" not in page.content()
    assert "Sala Sala" not in page.content()
    hearing_path = page.url.removeprefix(browse.server.url)

    # Reschedule it.
    browse.click(page.locator(f"a[href$='{hearing_path}/reschedule']"), shot="hearing-reschedule")
    browse.fill("input[name=date]", (day + timedelta(days=7)).isoformat())
    browse.click("main form button[type=submit]")
    _flash_ok(browse)

    # Cancel it.
    browse.click(page.locator(f"a[href$='{hearing_path}/cancel']"), shot="hearing-cancel")
    browse.fill("textarea[name=reason]", "The court closed for the day.")
    browse.click("main form button[type=submit]")
    _flash_ok(browse)

    # Import a CSV through the preview.
    csv = tmp_path / "hearings.csv"
    # A date of its own per run, so the first upload is never a duplicate of another run's.
    runs = ["phone-en", "phone-es", "laptop-en", "laptop-es"]
    later = (date.today() + timedelta(days=40 + runs.index(f"{browse.size}-{browse.lang}"))).isoformat()
    csv.write_text(
        "court,date,time,duration_minutes,kind,courtroom,languages,accompaniers,interpreters\n"
        f"Chicago Immigration Court,{later},10:00,60,master,4,es;mam,2,1\n"
        f"Chicago Immigration Court,{later},13:00,90,individual,7,es,2,0\n",
        encoding="utf-8",
    )
    browse.go("/hearings/import", shot="import-upload")
    page.set_input_files("input[name=file]", str(csv))
    browse.click("main form.busy-form button[type=submit]", shot="import-preview")
    browse.click("main form[method=post] button[type=submit].button >> nth=-1")
    _flash_ok(browse)

    # The same file again: only likely duplicates, so no import button until one is ticked.
    browse.go("/hearings/import")
    page.set_input_files("input[name=file]", str(csv))
    browse.click("main form.busy-form button[type=submit]", shot="import-duplicates")
    import_button = page.locator("main .actions button[type=submit]")
    assert not import_button.is_visible()
    page.check("input[name=include] >> nth=0")
    assert import_button.is_visible()

    # Pages with long names.
    browse.go(f"/people/?status=all&q={LONG_PERSON[:20]}", shot="people-long-name")
    assert page.get_by_role("link", name=LONG_PERSON).count() == 1
    browse.go(f"/people/{browse.server.facts['long_person_id']}")
    browse.go(f"/hearings/{browse.server.facts['long_hearing_id']}", shot="hearing-long-court")


def test_casework_pages_for_coordinators_and_the_report_after_a_hearing(browse):
    page = browse.page
    coordinator = _coordinator(browse, "casework")
    browse.sign_in(coordinator, totp_for=coordinator)
    browse.go("/casework/awaiting", shot="awaiting")
    browse.click(page.locator("main a[href$='/date']").first, shot="awaiting-set-date")
    browse.go("/casework/awaiting/new", shot="awaiting-new")
    browse.go(f"/casework/court-watch?year={date.today().year}", shot="court-watch")
    assert page.locator("main svg rect").count() >= 2
    browse.go("/casework/series/1", shot="series")
    browse.click(page.locator("main a[href*='/hearings/']").first, shot="series-occurrence")
    browse.sign_out()

    browse.sign_in("volunteer@example.org", password=DEMO_PASSWORD)
    browse.use_language()
    hearing_id = browse.server.facts["to_report"][f"{browse.size}-{browse.lang}"]
    browse.go("/casework/reports/mine", shot="my-reports")
    browse.click(page.locator(f"main a[href$='/casework/hearings/{hearing_id}/report']"), shot="report-form")
    page.check("input[name=held][value=postponed]")
    page.select_option("select[name=next_kind]", "master")
    page.check("input[name=next_to_be_set]")
    browse.click("main form button[type=submit]", shot="report-filed")
    _flash_ok(browse)
