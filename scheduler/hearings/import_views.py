"""Bulk import: upload a CSV, read the preview, then commit every row or none.

The uploaded text waits on the server (instance/hearing-imports/<random id>-<user id>.csv)
between preview and commit: too big for the cookie, and respondent references must never
travel in a URL. Files are removed after the commit and after IMPORT_MAX_AGE_MINUTES.

While a large file is written, the commit request notes "rows done / rows in all" after each
batch in a small file beside the upload (<random id>-<user id>.progress: two numbers, nothing
personal); the preview page's script polls /import/<token>/progress and shows a progress bar.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from scheduler import audit
from scheduler.domain.hearing_import import COLUMNS, ImportFileInvalid, template_csv
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.hearings import importing as hearing_import
from scheduler.hearings.forms import ERROR_MESSAGES, ImportCommitForm, ImportUploadForm
from scheduler.hearings.views import bp
from scheduler.types import utcnow
from scheduler.web.security import coordinator_required
from scheduler.web.templating import holiday_at

IMPORT_MAX_AGE_SECONDS = 2 * 60 * 60


def _folder() -> Path:
    folder = Path(
        current_app.config.get("HEARING_IMPORT_DIR") or Path(current_app.instance_path) / "hearing-imports"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        abort(404)
    return _folder() / f"{token}-{current_user.id}.csv"


def _progress_path(token: str) -> Path:
    return _path(token).with_suffix(".progress")


def _note_progress(token: str):
    path = _progress_path(token)

    def note(done: int, total: int) -> None:
        path.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")

    return note


def _stored(token: str) -> str:
    path = _path(token)
    if not path.exists() or time.time() - path.stat().st_mtime > IMPORT_MAX_AGE_SECONDS:
        path.unlink(missing_ok=True)
        flash(_("This upload has expired. Upload the file again."), "error")
        abort(redirect(url_for("hearings.import_hearings")))
    return path.read_text(encoding="utf-8")


def _sweep() -> None:
    cutoff = time.time() - IMPORT_MAX_AGE_SECONDS
    for old in [*_folder().glob("*.csv"), *_folder().glob("*.progress")]:
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def import_hearings() -> str | WerkzeugResponse:
    form = ImportUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("Save the file as CSV in UTF-8 and upload it again."))
        else:
            _sweep()
            token = secrets.token_urlsafe(16)
            _path(token).write_text(text, encoding="utf-8")
            return redirect(url_for("hearings.preview_import", token=token))
    return render_template("hearings/import_upload.html", form=form, columns=COLUMNS)


@bp.get("/import/template.csv")
@coordinator_required
def import_template() -> Response:
    return Response(
        template_csv(example_day=utcnow().date() + timedelta(days=30)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=hearings-template.csv"},
    )


@bp.get("/import/<token>/progress")
@coordinator_required
def import_progress(token: str) -> dict[str, int]:
    """How many rows of this upload's commit are written so far (0 of 0 before it starts)."""
    try:
        noted = json.loads(_progress_path(token).read_text(encoding="utf-8"))
        return {"done": int(noted["done"]), "total": int(noted["total"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"done": 0, "total": 0}


@bp.route("/import/<token>", methods=["GET", "POST"])
@coordinator_required
def preview_import(token: str) -> str | tuple[str, int] | WerkzeugResponse:
    text = _stored(token)
    form = ImportCommitForm()
    try:
        if form.validate_on_submit():
            count = _commit_import(token, text)
            flash(_("%(count)d hearings are imported.", count=count), "success")
            return redirect(url_for("hearings.dashboard"))
        preview = hearing_import.preview_import(db.session(), actor=current_user, text=text, now=utcnow())
    except ImportFileInvalid as exc:
        _path(token).unlink(missing_ok=True)
        return render_template(
            "hearings/import_upload.html", form=ImportUploadForm(), columns=COLUMNS, file_error=exc
        ), 400
    except ServiceError as exc:
        db.session.rollback()
        flash(
            str(ERROR_MESSAGES.get(exc.code, _("Nothing was imported: fix the rows with errors first."))),
            "error",
        )
        return redirect(url_for("hearings.preview_import", token=token))
    return _preview_page(preview, form, token)


def _preview_page(preview: hearing_import.ImportPreview, form: ImportCommitForm, token: str) -> str:
    return render_template(
        "hearings/import_preview.html",
        preview=preview,
        form=form,
        token=token,
        messages=ERROR_MESSAGES,
        holidays=_holiday_rows(preview),
    )


def _holiday_rows(preview: hearing_import.ImportPreview) -> dict[int, str]:
    """Rows dated on a federal holiday (courts and ICE offices closed), by line: likely a wrong date."""
    labels = {}
    for row in preview.rows:
        if row.ok and row.plan is not None and row.court is not None:
            label = holiday_at(row.plan.starts_at, row.court.tz_name)
            if label is not None:
                labels[row.line] = label
    return labels


def _commit_import(token: str, text: str) -> int:
    """Write the rows (and the ticked duplicates), record it, commit, and forget the upload."""
    include = frozenset(int(v) for v in request.form.getlist("include") if v.isdigit())
    try:
        count = hearing_import.commit_import(
            db.session(),
            actor=current_user,
            text=text,
            now=utcnow(),
            include_duplicates=include,
            progress=_note_progress(token),
        )
    finally:
        _progress_path(token).unlink(missing_ok=True)
    audit.record(
        db.session(),
        actor=current_user,
        action="hearings.imported",
        object_type="import",
        object_id=None,
        details={"count": count},
    )
    db.session.commit()
    _path(token).unlink(missing_ok=True)
    return count
