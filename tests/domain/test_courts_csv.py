from scheduler.domain.courts import CourtRow, RowError, parse_courts_csv

HEADER = "code,name,city,state,address,timezone,kind,notes\n"


def test_good_rows_are_parsed_and_normalised() -> None:
    rows, errors = parse_courts_csv(
        HEADER
        + "CHI, Chicago Immigration Court ,Chicago,il,525 W Van Buren St,America/Chicago,,\n"
        + ",Chicago ICE Field Office,Chicago,IL,101 W Congress Pkwy,America/Chicago,ice_office,Check-ins\n"
    )
    assert errors == []
    assert rows[0] == CourtRow(
        code="CHI",
        name="Chicago Immigration Court",
        city="Chicago",
        state="IL",
        address="525 W Van Buren St",
        timezone="America/Chicago",
        kind="court",
        notes="",
    )
    assert rows[1].code is None
    assert rows[1].kind == "ice_office"


def test_a_byte_order_mark_and_header_case_do_not_matter() -> None:
    text = (
        "\ufeffName,City,State,Address,Timezone\n"
        "Denver Immigration Court,Denver,CO,1961 Stout St,America/Denver\n"
    )
    rows, errors = parse_courts_csv(text)
    assert errors == []
    assert rows[0].name == "Denver Immigration Court"


def test_a_missing_column_is_one_error_on_the_header_line() -> None:
    rows, errors = parse_courts_csv("name,city,state,address\nX,Y,TX,Z\n")
    assert rows == []
    assert errors == [RowError(1, "missing columns: timezone")]


def test_bad_rows_are_reported_by_line_number() -> None:
    rows, errors = parse_courts_csv(
        HEADER
        + "A1,Good Court,Austin,TX,1 Main St,America/Chicago,,\n"
        + "B2,Bad Zone Court,Austin,TX,1 Main St,America/Atlantis,,\n"
        + "C3,Bad State Court,Austin,Texas,1 Main St,America/Chicago,,\n"
        + "D4,,Austin,TX,1 Main St,America/Chicago,,\n"
        + "E5,Bad Kind Court,Austin,TX,1 Main St,America/Chicago,jail,\n"
        + "F6,good court,Austin,TX,2 Main St,America/Chicago,,\n"
    )
    assert [r.name for r in rows] == ["Good Court"]
    assert [(e.line, e.message) for e in errors] == [
        (3, "unknown time zone 'America/Atlantis'"),
        (4, "state must be a two-letter code"),
        (5, "name is empty"),
        (6, "kind must be court or ice_office"),
        (7, "the same court name appears twice in the file"),
    ]


def test_the_bundled_court_list_parses_cleanly() -> None:
    from scheduler.cli import BUNDLED_COURTS

    rows, errors = parse_courts_csv(BUNDLED_COURTS.read_text("utf-8"))
    assert errors == []
    assert len(rows) > 50
    # The network spans several zones; every court keeps its own.
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles"} <= {r.timezone for r in rows}
