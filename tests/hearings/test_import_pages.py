"""The import pages: upload, preview with errors, all-or-nothing commit."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import Hearing
from scheduler.types import utcnow
from tests.factories import make_court, make_user


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path) -> dict[str, Any]:
    return {**app_config, "HEARING_IMPORT_DIR": str(tmp_path)}


HEADER = "court,date,time,kind,respondent_ref,accompaniers,private_notes\n"


def upload(client, text: str):
    data = {"file": (io.BytesIO(text.encode()), "hearings.csv")}
    return client.post("/hearings/import", data=data, content_type="multipart/form-data")


def hearings() -> int:
    return db.session.scalar(select(func.count()).select_from(Hearing))


def login(auth):
    make_court(name="Chicago Immigration Court", code="CHI")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)


def test_upload_preview_commit(app, client, auth) -> None:
    login(auth)
    page = client.get("/hearings/import").get_data(as_text=True)
    assert "respondent_ref" in page and "Download the template" in page
    template = client.get("/hearings/import/template.csv")
    assert template.mimetype == "text/csv" and template.get_data(as_text=True).startswith("court,date,time")
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    text = (
        HEADER
        + f"CHI,{day},09:00,master,MARKER-RESP-7731,2,MARKER-PRIVATE-4412\nCHI,{day},10:00,bond,RM,1,\n"
    )
    response = upload(client, text)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "MARKER" not in location and "RM" not in location  # nothing personal in the URL
    preview = client.get(location).get_data(as_text=True)
    assert "ready" in preview and "Import these hearings" in preview
    assert hearings() == 0
    done = client.post(location)
    assert done.status_code == 302
    assert hearings() == 2
    # The stored upload is gone once committed.
    assert client.get(location).status_code == 302


def test_rows_dated_on_a_federal_holiday_are_flagged_but_can_be_imported(app, client, auth) -> None:
    login(auth)
    # Thanksgiving 2031 (27 November), then an ordinary Friday.
    text = HEADER + "CHI,2031-11-27,09:00,master,RM,2,\nCHI,2031-11-28,09:00,master,RN,2,\n"
    location = upload(client, text).headers["Location"]
    preview = client.get(location).get_data(as_text=True).replace("&#39;", "'")
    assert "1 row is dated on a federal holiday" in preview
    assert preview.count("Thanksgiving Day (federal holiday)") == 1
    assert "Import these hearings" in preview  # a warning, not an error: the date may be right
    client.post(location)
    assert hearings() == 2


def test_errors_block_the_commit(app, client, auth) -> None:
    login(auth)
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    text = HEADER + f"CHI,{day},09:00,master,RM,2,\nNowhere,{day},09:00,master,A123456789,2,\n"
    location = upload(client, text).headers["Location"]
    preview = client.get(location).get_data(as_text=True)
    assert "No active court in your scope" in preview and "looks like an A-number" in preview
    assert "A123456789" not in preview  # a refused A-number is not echoed back
    assert "Import these hearings" not in preview
    client.post(location)
    assert hearings() == 0


def test_a_file_without_the_columns_is_explained(app, client, auth) -> None:
    login(auth)
    location = upload(client, "name,when\nx,y\n").headers["Location"]
    response = client.get(location)
    assert response.status_code == 400
    assert "lacks these columns" in response.get_data(as_text=True)


def test_an_unknown_upload_token_sends_back_to_the_upload_page(app, client, auth) -> None:
    login(auth)
    response = client.get("/hearings/import/nosuchtoken")
    assert response.status_code == 302 and response.headers["Location"].endswith("/hearings/import")


def test_the_commit_notes_its_progress_for_the_page_to_show(app, client, auth, monkeypatch) -> None:
    """Each batch's count lands where /import/<token>/progress reads it; gone once committed."""
    from scheduler.hearings import importing as hearing_import

    login(auth)
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    text = HEADER + "".join(f"CHI,{day},{8 + n % 8:02d}:{n % 60:02d},master,P{n},1,\n" for n in range(120))
    location = upload(client, text).headers["Location"]
    preview = client.get(location).get_data(as_text=True)
    assert f'data-progress-url="{location}/progress"' in preview
    assert client.get(location + "/progress").get_json() == {"done": 0, "total": 0}
    seen: list[dict] = []
    real = hearing_import.commit_import

    def watched(*args, progress, **kwargs):
        def note(done: int, total: int) -> None:
            progress(done, total)
            seen.append(client.get(location + "/progress").get_json())

        return real(*args, progress=note, **kwargs)

    monkeypatch.setattr(hearing_import, "commit_import", watched)
    assert client.post(location).status_code == 302
    assert seen == [{"done": 100, "total": 120}, {"done": 120, "total": 120}]
    assert hearings() == 120
    assert client.get(location + "/progress").get_json() == {"done": 0, "total": 0}
