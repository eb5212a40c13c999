"""The operator's commands: users create, courts import, seed-demo."""

from pathlib import Path

from sqlalchemy import func, select

from scheduler.accounts import registry as accounts
from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import Court, Hearing, Signup, User
from tests.factories import make_user

HEADER = "code,name,city,state,address,timezone,kind,notes\n"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_makes_an_approved_account_with_the_role(app, runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.org",
            "--role",
            "admin",
            "--password",
            "walnut river lantern",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert (user.role, user.status) == (Role.ADMIN, UserStatus.APPROVED)
    assert (
        accounts.authenticate(db.session, email="boss@example.org", password="walnut river lantern") is user
    )


def test_users_create_asks_for_the_password_when_not_given(app, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "--email", "c@example.org", "--role", "coordinator"],
        input="walnut river lantern\nwalnut river lantern\n",
    )
    assert result.exit_code == 0, result.output
    assert "walnut river lantern" not in result.output
    assert db.session.scalar(select(User).where(User.email == "c@example.org")).role == Role.COORDINATOR


def test_users_create_refuses_a_weak_password(app, runner) -> None:
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--password", "password123"])
    assert result.exit_code != 0
    assert "password refused" in result.output
    assert "too common" in result.output
    assert _count(User) == 0


def test_users_create_refuses_a_taken_email(app, runner) -> None:
    make_user(email="taken@example.org")
    db.session.commit()
    result = runner.invoke(
        args=["users", "create", "--email", "TAKEN@example.org", "--password", "walnut river lantern"]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(User) == 1


def test_users_create_refuses_an_unknown_role(app, runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--role",
            "king",
            "--password",
            "walnut river lantern",
        ]
    )
    assert result.exit_code != 0
    assert _count(User) == 0


def test_courts_import_adds_courts(app, runner, tmp_path: Path) -> None:
    csv = tmp_path / "courts.csv"
    csv.write_text(
        "\ufeff"
        + HEADER
        + "TUC,Tucson Immigration Court,Tucson,AZ,300 W Congress St,America/Phoenix,court,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["courts", "import", str(csv)])
    assert result.exit_code == 0, result.output
    assert "1 courts added, 0 updated" in result.output
    assert db.session.scalar(select(Court.timezone).where(Court.code == "TUC")) == "America/Phoenix"


def test_courts_import_is_all_or_nothing_and_names_the_bad_lines(app, runner, tmp_path: Path) -> None:
    csv = tmp_path / "courts.csv"
    csv.write_text(
        HEADER
        + "TUC,Tucson Immigration Court,Tucson,AZ,300 W Congress St,America/Phoenix,court,\n"
        + "BAD,Bad Court,Nowhere,AZ,1 Road,Mars/Olympus,court,\n"
        + "TU2,Tucson Immigration Court,Tucson,AZ,301 W Congress St,America/Phoenix,court,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["courts", "import", str(csv)])
    assert result.exit_code != 0
    assert "line 3: unknown time zone 'Mars/Olympus'" in result.output
    assert "line 4: the same court name appears twice in the file" in result.output
    assert "nothing imported" in result.output
    assert _count(Court) == 0


def test_courts_import_refuses_a_file_that_is_not_utf8(app, runner, tmp_path: Path) -> None:
    csv = tmp_path / "courts.csv"
    csv.write_bytes((HEADER + "X,Caf\xe9 Court,Tucson,AZ,1 St,America/Phoenix,,\n").encode("latin-1"))
    result = runner.invoke(args=["courts", "import", str(csv)])
    assert result.exit_code != 0
    assert "not UTF-8" in result.output
    assert _count(Court) == 0


def test_seed_demo_loads_a_network_once(app, runner) -> None:
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "40 volunteers, 80 hearings" in result.output
    assert _count(Court) > 50  # the bundled court list came first
    hearings = _count(Hearing)
    assert hearings > 80  # the 80 upcoming, and the casework demo (reported past hearings, a series)
    assert _count(Signup) > 0
    assert (
        db.session.scalar(select(User).where(User.email == "pending@example.org")).status
        == UserStatus.PENDING
    )
    users = _count(User)

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert "demo data not loaded" in again.output
    assert (_count(User), _count(Hearing)) == (users, hearings)


def test_seed_demo_refuses_to_run_in_production(app, runner) -> None:
    app.config["ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
    assert _count(User) == 0


def test_demo_staff_sign_in_with_the_printed_login_and_demo_code(app, runner) -> None:
    """A newcomer after `make run`: the printed coordinator login plus `demo-code` gets them in."""
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    code = runner.invoke(args=["demo-code", "coordinator@example.org"])
    assert code.exit_code == 0, code.output
    assert code.output.strip().isdigit() and len(code.output.strip()) == 6

    client = app.test_client()
    from scheduler.demo.seed import DEMO_PASSWORD

    step = client.post("/auth/login", data={"email": "coordinator@example.org", "password": DEMO_PASSWORD})
    assert step.status_code == 302 and "/auth/two-step" in step.headers["Location"]
    done = client.post("/auth/two-step", data={"code": code.output.strip()})
    assert done.status_code == 302 and "/auth/" not in done.headers["Location"]
    assert client.get("/hearings/").status_code == 200


def test_demo_code_refuses_other_accounts_and_production(app, runner) -> None:
    make_user(role=Role.COORDINATOR, email="real.coordinator@example.org")
    refused = runner.invoke(args=["demo-code", "real.coordinator@example.org"])
    assert refused.exit_code != 0 and "only works for the demo staff" in refused.output
    app.config["ENV"] = "production"
    refused = runner.invoke(args=["demo-code", "coordinator@example.org"])
    assert refused.exit_code != 0 and "production" in refused.output
