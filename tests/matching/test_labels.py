"""Why a seat suits someone, in words: a weekday inside a Spanish sentence is in lower case."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from scheduler.domain.matching import Label
from scheduler.matching.messages import coordinator_label, volunteer_label


@pytest.mark.parametrize(
    ("locale", "volunteer", "coordinator"),
    [
        ("en", "fits your Monday availability", "available on Wednesday"),
        ("es", "encaja con su disponibilidad del lunes", "disponible el miércoles"),
    ],
)
def test_weekdays_read_as_part_of_the_sentence(app, locale, volunteer, coordinator) -> None:
    with app.test_request_context(), force_locale(locale):
        assert volunteer_label(Label("fits_availability", {"weekday": 0})) == volunteer
        assert coordinator_label(Label("fits_availability", {"weekday": 2})) == coordinator
