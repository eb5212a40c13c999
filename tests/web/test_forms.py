"""The narrowing views use on a validated form's required fields."""

from __future__ import annotations

import pytest

from scheduler.web.forms import required


def test_required_passes_falsy_data_through():
    assert required(0) == 0 and required("") == "" and required(False) is False


def test_required_refuses_missing_data():
    with pytest.raises(ValueError, match="without data"):
        required(None)
