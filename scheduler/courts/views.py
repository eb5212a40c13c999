"""Coordinators list, add and edit courts and ICE field offices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from scheduler import audit
from scheduler.courts import cards as cards_service
from scheduler.courts import catalogue as court_service
from scheduler.courts import scope
from scheduler.courts.forms import COMMON_ZONES, CourtCardForm, CourtForm
from scheduler.enums import CourtKind
from scheduler.extensions import db
from scheduler.models import Court, CourtCard
from scheduler.unique import Taken, flush_unique
from scheduler.web.forms import required
from scheduler.web.security import admin_required, coordinator_required

bp = Blueprint("courts", __name__, url_prefix="/courts")


@bp.get("/")
@coordinator_required
def list_courts() -> str:
    search = request.args.get("q", "").strip()[:100]
    query = select(Court).order_by(Court.state, Court.name)
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(Court.name.ilike(pattern), Court.city.ilike(pattern), Court.state.ilike(pattern))
        )
    page = db.paginate(query, per_page=100, error_out=False)
    # None: every court is this coordinator's to edit; else only these.
    editable = scope.court_ids(current_user)
    return render_template("courts/list.html", page=page, search=search, editable=editable)


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new_court() -> str | Response:
    form = CourtForm()
    if form.validate_on_submit() and _unique(form):
        court = Court()
        _apply(form, court)
        db.session.add(court)
        if not _flushed(form):
            return render_template("courts/form.html", form=form, court=None, zones=COMMON_ZONES)
        audit.record(
            db.session(), actor=current_user, action="court.created", object_type="court", object_id=court.id
        )
        db.session.commit()
        flash(_("%(name)s is added.", name=court.name), "success")
        return redirect(url_for("courts.list_courts"))
    return render_template("courts/form.html", form=form, court=None, zones=COMMON_ZONES)


@bp.route("/<int:court_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_court(court_id: int) -> str | Response:
    court = db.get_or_404(Court, court_id)
    # A court's zone and address shape every hearing there: only its own coordinators edit it.
    if not scope.may_manage_court(current_user, court.id):
        abort(403)
    form = CourtForm(obj=court)
    if request.method == "GET":
        form.kind.data = court.kind.value
    if form.validate_on_submit() and _unique(form, except_id=court.id):
        _apply(form, court)
        if not _flushed(form):
            return render_template("courts/form.html", form=form, court=court, zones=COMMON_ZONES)
        audit.record(
            db.session(), actor=current_user, action="court.updated", object_type="court", object_id=court.id
        )
        db.session.commit()
        flash(_("%(name)s is saved.", name=court.name), "success")
        return redirect(url_for("courts.list_courts"))
    return render_template("courts/form.html", form=form, court=court, zones=COMMON_ZONES)


TAKEN_MESSAGES = {
    "name": _l("Another court already has this name."),
    "code": _l("Another court already has this code."),
}


def _unique(form: CourtForm, except_id: int | None = None) -> bool:
    ok = True
    if court_service.name_taken(db.session(), name=required(form.name.data), except_id=except_id):
        form.name.errors = [*form.name.errors, str(TAKEN_MESSAGES["name"])]
        ok = False
    if form.code.data and court_service.code_taken(db.session(), code=form.code.data, except_id=except_id):
        form.code.errors = [*form.code.errors, str(TAKEN_MESSAGES["code"])]
        ok = False
    return ok


def _flushed(form: CourtForm) -> bool:
    """Write; a name or code another request took at the same instant is the same form error."""
    try:
        flush_unique(db.session())
    except Taken as taken:
        field = "code" if "code" in taken.columns else "name"
        getattr(form, field).errors.append(str(TAKEN_MESSAGES[field]))
        return False
    return True


def _apply(form: CourtForm, court: Court) -> None:
    court.name = required(form.name.data).strip()
    court.kind = CourtKind(form.kind.data)
    court.code = (form.code.data or "").strip() or None
    court.address = required(form.address.data).strip()
    court.city = required(form.city.data).strip()
    court.state = required(form.state.data).strip().upper()
    court.timezone = required(form.timezone.data)
    court.notes = form.notes.data or ""
    court.active = bool(form.active.data)


@bp.route("/<int:court_id>/card", methods=["GET", "POST"])
@admin_required
def edit_card(court_id: int) -> str | Response:
    """The court-day card volunteers see on each seat page, in English and Spanish."""
    court = db.get_or_404(Court, court_id)
    cards = cards_service.cards_of(db.session(), court.id)
    form = CourtCardForm(data=_card_data(cards) if request.method == "GET" else None)
    if form.validate_on_submit():
        texts = {
            loc: cards_service.CardText(
                do_text=form[f"do_{loc}"].data or "",
                dont_text=form[f"dont_{loc}"].data or "",
                meeting_point=form[f"meeting_{loc}"].data or "",
            )
            for loc in cards_service.CARD_LOCALES
        }
        hotline, lead = form.hotline.data or "", form.team_lead.data or ""
        cards_service.save_cards(
            db.session(), court=court, actor=current_user, hotline=hotline, team_lead=lead, texts=texts
        )
        db.session.commit()
        flash(_("The court-day card for %(name)s is saved.", name=court.name), "success")
        return redirect(url_for("courts.edit_card", court_id=court.id))
    return render_template("courts/card_form.html", form=form, court=court)


def _card_data(cards: dict[str, CourtCard]) -> dict[str, str]:
    any_card = next(iter(cards.values()), None)
    data = {
        "hotline": any_card.hotline if any_card else "",
        "team_lead": any_card.team_lead if any_card else "",
    }
    for loc, card in cards.items():
        data.update(
            {f"do_{loc}": card.do_text, f"dont_{loc}": card.dont_text, f"meeting_{loc}": card.meeting_point}
        )
    return data
