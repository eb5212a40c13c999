"""One guard at the edge for input no page should have to handle, so no input gives a 500.

- **NUL bytes** (PostgreSQL refuses them in text) anywhere in the path, the query string, a
  form's names or values or an uploaded file's name: a 400 page in the person's language.
- **Integers past the database's range**: ``<int:...>`` in every route matches 1 to 2**31 - 1
  (an INTEGER column), so a larger id is a 404 like any id with no row; ``request.args.get(...,
  type=int)`` gives the default for a number outside 32 bits; ``page`` and ``per_page`` (read by
  ``db.paginate``) outside 1 to 2**31 - 1 are a 404; every form built on :class:`GuardedForm`
  refuses such numbers beside the field.
- **Dates** outside 1900 to 2100 (year 0 and 9999; month 13 and day 32 are no date at all) are a
  form error beside the field; :func:`query_date` reads a date from a query string the same way.
- A value listed twice in a multiple choice counts once (it would be a duplicate row).

What still reaches the database and is refused there for its size or content (a ``DataError``,
or SQLite's ``OverflowError``) is answered with a 400, never a 500: a last line, not the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask import Flask, render_template, request
from flask.wrappers import Request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response
from wtforms import DateTimeField, IntegerField, SelectMultipleField
from wtforms.validators import ValidationError

from scheduler.domain.bounds import FIRST_DAY, INT32_MAX, LAST_DAY
from scheduler.extensions import db
from scheduler.web.errors import ERROR_TEXT
from scheduler.web.problems import is_api_request, problem

MIN_DATE, MAX_DATE = FIRST_DAY, LAST_DAY
PAGE_PARAMETERS = ("page", "per_page")

NUL_MESSAGE = _l(
    "What you sent contains a character that is not allowed (a NUL byte). Remove it and try again."
)
NUMBER_MESSAGE = _l("Enter a number between %(low)d and %(high)d.")
DATE_MESSAGE = _l("Enter a date between %(first)d and %(last)d.")
VALUE_MESSAGE = _l("A value you sent is too large or not allowed here. Please check it and try again.")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` for ids: 1 to 2**31 - 1 unless the rule says otherwise; past it, no match (404)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        if self.max is None:
            self.max = INT32_MAX
        if self.min is None and self.signed:
            self.min = -INT32_MAX - 1


def _int32(value: str) -> int:
    number = int(value)
    if not -INT32_MAX - 1 <= number <= INT32_MAX:
        raise ValueError("out of range")
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query and form values whose ``type=int`` reading stops at 32 bits (past it: the default)."""

    # One signature for werkzeug's overloads of get (werkzeug's own get ignores [override] too).
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        return super().get(key, default, _int32 if type is int else type)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:
        return super().getlist(key, _int32 if type is int else type)


class GuardedRequest(Request):
    parameter_storage_class = BoundedArgs


def in_date_range(value: date | datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def query_date(text: str | None) -> date | None:
    """A YYYY-MM-DD date from a query string; None when absent, malformed or out of range."""
    try:
        value = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return value if in_date_range(value) else None


def _number_in_range(_form: Any, field: Any) -> None:
    if isinstance(field.data, int) and not -INT32_MAX - 1 <= field.data <= INT32_MAX:
        raise ValidationError(str(NUMBER_MESSAGE % {"low": -INT32_MAX - 1, "high": INT32_MAX}))


def _date_in_range(_form: Any, field: Any) -> None:
    if isinstance(field.data, date) and not in_date_range(field.data):
        raise ValidationError(str(DATE_MESSAGE % {"first": MIN_DATE.year, "last": MAX_DATE.year}))


class GuardedForm(FlaskForm):
    """The base of every form with a number, a date or a multiple choice: bounds checked once."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        extra = {name: list(chain) for name, chain in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, IntegerField):
                extra.setdefault(name, []).append(_number_in_range)
            elif isinstance(field, DateTimeField):  # dates, date-times (and times: no date to check)
                extra.setdefault(name, []).append(_date_in_range)
            elif isinstance(field, SelectMultipleField) and isinstance(field.data, list):
                field.data = list(dict.fromkeys(field.data))
        return super().validate(extra_validators=extra)


def _refuse(status: int, text: Any) -> tuple[str, int] | Response:
    if is_api_request():
        return problem(status, text, code="nul_byte" if text is NUL_MESSAGE else None)
    title, default = ERROR_TEXT[status]
    return render_template("web/errors/error.html", code=status, title=title, text=text or default), status


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def _past_32_bits(value: str | None) -> bool:
    try:
        number = int(value or "1")
    except ValueError:
        return False  # not a number at all: the page reads it as its default
    return not -INT32_MAX - 1 <= number <= INT32_MAX


def check_request() -> tuple[str, int] | Response | None:
    """Refuse NUL bytes and out-of-range page numbers before any view reads them."""
    if "\x00" in request.path or _has_nul(request.args):
        return _refuse(400, NUL_MESSAGE)
    if any(_past_32_bits(request.args.get(name)) for name in PAGE_PARAMETERS):
        return _refuse(404, None)  # db.paginate multiplies it into an OFFSET: there is no such page
    if request.method in ("POST", "PUT", "PATCH") and (
        _has_nul(request.form) or any("\x00" in (f.filename or "") for f in request.files.values())
    ):
        return _refuse(400, NUL_MESSAGE)
    return None


def init_input_guard(app: Flask) -> None:
    """Bounded ``<int:...>`` (before any route is added), the request check and the last line."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = GuardedRequest
    app.before_request(check_request)

    def out_of_range(_error: Exception) -> tuple[str, int] | Response:
        db.session.rollback()
        app.logger.warning("input refused by the database: %s", type(_error).__name__)
        return _refuse(400, VALUE_MESSAGE)

    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(OverflowError, out_of_range)
