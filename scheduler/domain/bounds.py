"""The ranges every number and date the app stores must fall in (the edge checks read them too).

INTEGER columns hold 32 bits; Python's dates end in year 9999, and a few hours' arithmetic on a
day near either end overflows. No hearing, training or filter needs a day outside these years.
"""

from __future__ import annotations

from datetime import date

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def day_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
