"""Posting a hearing (or a person's next one), editing, rescheduling and cancelling it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.domain.hearings import HearingInvalid, new_start, plan_hearing
from scheduler.domain.timezones import is_ambiguous, to_local
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.hearings import schedule as hearing_service
from scheduler.hearings.forms import (
    ERROR_MESSAGES,
    CancelForm,
    EditHearingForm,
    HearingForm,
    RescheduleForm,
    fold_of,
)
from scheduler.hearings.views import (
    bp,
    chosen_court,
    court_choices,
    details_from,
    draft_from,
    managed_hearing,
    show_errors,
)
from scheduler.models import Court, Hearing
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import coordinator_required


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new_hearing() -> str | Response:
    return _post_hearing(previous=None)


@bp.route("/<int:hearing_id>/next", methods=["GET", "POST"])
@coordinator_required
def next_hearing(hearing_id: int) -> str | Response:
    """The same person's later hearing: prefilled, and linked so the same team is offered first."""
    return _post_hearing(previous=managed_hearing(hearing_id))


def _post_hearing(previous: Hearing | None) -> str | Response:
    courts = hearing_service.courts_in_scope(db.session(), user=current_user)
    form = HearingForm()
    form.court_id.choices = court_choices(courts, placeholder=True)
    if request.method == "GET" and previous is not None:
        _prefill(form, previous)
    elif request.method == "GET":
        # The only court, or the one this coordinator posted to last; never an arbitrary first one.
        form.court_id.data = hearing_service.default_court_id(db.session(), user=current_user, courts=courts)
    court = chosen_court(courts, form.court_id.data)
    valid = form.validate_on_submit()
    if form.is_submitted() and court is not None and _typed_enough(form):
        # The domain rules run even when another field is wrong, so every problem shows at once.
        try:
            plan = plan_hearing(draft=draft_from(form, court.timezone), now=utcnow())
        except HearingInvalid as exc:
            show_errors(form, exc.errors)
        else:
            if not valid:
                return render_template(
                    "hearings/form.html", form=form, court=court, courts=courts, previous=previous
                )
            hearing = hearing_service.create_hearing(
                db.session(),
                actor=current_user,
                court=court,
                plan=plan,
                details=details_from(form),
                previous=previous,
            )
            db.session.commit()
            flash(_("The hearing is posted."), "success")
            return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    return render_template("hearings/form.html", form=form, court=court, courts=courts, previous=previous)


def _typed_enough(form: HearingForm) -> bool:
    """Date, time, length and counts are readable, so the domain rules can be checked."""
    numbers = [form.duration_minutes.data] + [count.data for _, count, _, _ in form.seat_rows()]
    return form.date.data is not None and form.time.data is not None and all(n is not None for n in numbers)


def _prefill(form: HearingForm, previous: Hearing) -> None:
    form.court_id.data = previous.court_id
    form.kind.data = previous.kind.value
    for name in ("duration_minutes", "courtroom", "judge", "respondent_ref", "meeting_point", "public_notes"):
        form[name].data = getattr(previous, name)
    form.private_notes.data = previous.private_notes
    form.languages.data = previous.language_codes
    local = to_local(previous.starts_at, previous.court.timezone)
    form.time.data = local.time()
    form.date.data = None
    by_role = {s.role: s for s in previous.shifts}
    for role, count, start, end in form.seat_rows():
        shift = by_role.get(role)
        count.data = shift.capacity if shift else 0
        if shift:
            start.data = to_local(shift.starts_at, previous.court.timezone).time()
            end.data = to_local(shift.ends_at, previous.court.timezone).time()


@bp.route("/<int:hearing_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_hearing(hearing_id: int) -> str | Response:
    hearing = managed_hearing(hearing_id)
    form = EditHearingForm(obj=hearing)
    if request.method == "GET":
        form.kind.data = hearing.kind.value
        form.languages.data = hearing.language_codes
    if form.validate_on_submit():
        try:
            hearing_service.update_details(
                db.session(),
                actor=current_user,
                hearing=hearing,
                details=details_from(form, courtroom=hearing.courtroom),
                notify_volunteers=form.notify_volunteers.data,
            )
        except ServiceError as exc:
            flash(str(ERROR_MESSAGES.get(exc.code, exc.code)), "error")
            return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
        db.session.commit()
        flash(_("The hearing is saved."), "success")
        return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    return render_template("hearings/edit.html", form=form, hearing=hearing)


@bp.route("/<int:hearing_id>/reschedule", methods=["GET", "POST"])
@coordinator_required
def reschedule_hearing(hearing_id: int) -> str | Response:
    """Date, time, court and courtroom in one action; shifts follow by the same offset."""
    hearing = managed_hearing(hearing_id)
    courts = hearing_service.courts_in_scope(db.session(), user=current_user, include_id=hearing.court_id)
    form = RescheduleForm()
    form.court_id.choices = court_choices(courts)
    if request.method == "GET":
        _fill_reschedule(form, hearing)
    court = chosen_court(courts, form.court_id.data)
    if form.validate_on_submit() and court is not None:
        try:
            _reschedule(form, hearing, court)
        except HearingInvalid as exc:
            show_errors(form, exc.errors)
        except ServiceError as exc:
            flash(str(ERROR_MESSAGES.get(exc.code, exc.code)), "error")
        else:
            db.session.commit()
            flash(_("The hearing is moved. Everyone signed up keeps their seat."), "success")
            return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    return render_template("hearings/reschedule.html", form=form, hearing=hearing, court=court, courts=courts)


def _fill_reschedule(form: RescheduleForm, hearing: Hearing) -> None:
    """Today's date, time, court and courtroom, in the court's own time."""
    local = to_local(hearing.starts_at, hearing.court.timezone)
    form.court_id.data, form.date.data, form.time.data = hearing.court_id, local.date(), local.time()
    form.courtroom.data = hearing.courtroom
    if is_ambiguous(hearing.starts_at, hearing.court.timezone):
        form.occurrence.data = str(local.fold)


def _reschedule(form: RescheduleForm, hearing: Hearing, court: Court) -> None:
    """Move the hearing to what the form says; raises HearingInvalid or ServiceError."""
    starts_at = new_start(
        day=required(form.date.data),
        at=required(form.time.data),
        tz_name=court.timezone,
        now=utcnow(),
        fold=fold_of(form),
    )
    hearing_service.reschedule_hearing(
        db.session(),
        actor=current_user,
        hearing=hearing,
        court=court,
        starts_at=starts_at,
        courtroom=(form.courtroom.data or "").strip(),
    )


@bp.route("/<int:hearing_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel_hearing(hearing_id: int) -> str | Response:
    hearing = managed_hearing(hearing_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            hearing_service.cancel_hearing(
                db.session(), actor=current_user, hearing=hearing, reason=required(form.reason.data)
            )
        except ServiceError as exc:
            flash(str(ERROR_MESSAGES.get(exc.code, exc.code)), "error")
            return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
        db.session.commit()
        flash(_("The hearing is cancelled. Its shifts are closed."), "success")
        return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    return render_template("hearings/cancel.html", form=form, hearing=hearing)
