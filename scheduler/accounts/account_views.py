"""A person's own account: name, language, password, the volunteer profile, and API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler.accounts import api_tokens, sessions
from scheduler.accounts import registry as accounts
from scheduler.accounts.account_forms import (
    ApiTokenForm,
    PasswordChangeForm,
    ProfileForm,
    RevokeApiTokenForm,
    VolunteerProfileForm,
)
from scheduler.accounts.messages import password_messages
from scheduler.accounts.registry import PasswordRejected
from scheduler.courts import queries as court_queries
from scheduler.domain.trainings import TRAINING_KEYS
from scheduler.enums import ShiftRole
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.models import VolunteerProfile
from scheduler.people import profiles as volunteers
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import approved_required
from scheduler.web.session_guard import sign_in

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@approved_required
def profile() -> str | Response:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = required(form.display_name.data).strip()
        current_user.phone = (form.phone.data or "").strip() or None
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session(),
                user=current_user,
                current=required(form.current_password.data),
                new_password=required(form.password.data),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except PasswordRejected as exc:
            form.password.errors = password_messages(exc.problems)
        except ServiceError:
            form.current_password.errors = [_("This is not your current password.")]
        else:
            # Every session of the account ends, copies of this one's cookie too; this
            # browser goes on in a new session.
            sessions.revoke_all(db.session(), user=current_user, now=utcnow())
            sign_in(current_user._get_current_object())
            db.session.commit()
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("account.profile"))
    return render_template("accounts/password.html", form=form)


TOKEN_REFUSALS = {
    "two_step_required": _l(
        "Coordinators can make API tokens only with two-step sign-in turned on. Turn it on first."
    ),
    "token_name": _l("Give the token a name of at most 80 characters."),
    "token_lifetime": _l("Choose how long the token works."),
    "not_approved": _l("Only approved accounts can make API tokens."),
}


@bp.route("/api-tokens", methods=["GET", "POST"])
@approved_required
def api_tokens_page() -> str | Response:
    """List the person's tokens; a new one is shown once, on the page that answers the form."""
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = api_tokens.create_token(
                db.session(),
                user=current_user,
                name=required(form.name.data),
                can_write=form.access.data == "write",
                can_read_private=bool(form.private.data),
                days=required(form.days.data),
                now=utcnow(),
            )
        except ServiceError as exc:
            form.name.errors = [str(TOKEN_REFUSALS.get(exc.code, exc.code))]
        else:
            db.session.commit()
    return _tokens_page(form, new_token)


def _tokens_page(form: ApiTokenForm, new_token: str | None) -> Response:
    tokens = api_tokens.list_tokens(db.session(), user=current_user)
    page = render_template(
        "accounts/api_tokens.html",
        form=form,
        tokens=tokens,
        new_token=new_token,
        revoke=RevokeApiTokenForm(),
        now=utcnow(),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page, once
    return response


@bp.post("/api-tokens/<int:token_id>/revoke")
@approved_required
def revoke_api_token(token_id: int) -> Response:
    if not RevokeApiTokenForm().validate_on_submit():
        abort(400)
    if api_tokens.revoke_token(db.session(), user=current_user, token_id=token_id, now=utcnow()):
        db.session.commit()
        flash(_("The token is turned off. Anything using it can no longer reach your account."), "success")
    else:
        abort(404)
    return redirect(url_for("account.api_tokens_page"))


@bp.route("/volunteer", methods=["GET", "POST"])
@approved_required
def volunteer_profile() -> str | Response:
    profile = volunteers.get_profile(db.session(), current_user)
    form = VolunteerProfileForm()
    form.preferred_courts.choices = [
        SelectChoice(c.id, f"{c.name} ({c.state})") for c in court_queries.active_courts(db.session())
    ]
    if request.method == "GET":
        _fill(form, profile)
    if form.validate_on_submit():
        volunteers.update_profile(db.session(), user=current_user, data=_profile_data(form))
        db.session.commit()
        flash(_("Your volunteer profile is saved."), "success")
        return redirect(url_for("account.volunteer_profile"))
    return render_template("accounts/volunteer.html", form=form, training_keys=TRAINING_KEYS)


def _profile_data(form: VolunteerProfileForm) -> volunteers.ProfileData:
    return volunteers.ProfileData(
        languages=form.languages.data or [],
        roles=[ShiftRole(r) for r in form.roles.data or []],
        has_car=form.has_car.data,
        max_shifts_per_week=required(form.max_shifts_per_week.data),
        preferred_court_ids=form.preferred_courts.data or [],
        trainings={
            key: getattr(form, f"training_{key}").data
            for key in TRAINING_KEYS
            if getattr(form, f"training_{key}").data
        },
        availability=[
            (w, getattr(form, f"avail_{w}_start").data, getattr(form, f"avail_{w}_end").data)
            for w in range(7)
            if getattr(form, f"avail_{w}_start").data
        ],
        blackout_dates=getattr(form, "blackout_days", []),
    )


def _fill(form: VolunteerProfileForm, profile: VolunteerProfile) -> None:
    form.languages.data = profile.language_codes
    form.roles.data = [r.value for r in profile.role_values]
    form.has_car.data = profile.has_car
    form.max_shifts_per_week.data = profile.max_shifts_per_week
    form.preferred_courts.data = [c.id for c in profile.preferred_courts]
    for training in profile.trainings:
        getattr(form, f"training_{training.training}").data = training.completed_on
    for window in profile.availability:
        getattr(form, f"avail_{window.weekday}_start").data = window.start_time
        getattr(form, f"avail_{window.weekday}_end").data = window.end_time
    form.blackout_dates.data = "\n".join(d.day.isoformat() for d in profile.blackout_dates)
