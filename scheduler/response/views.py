"""Rapid response pages: check-in on the day, alerts, incidents, acknowledgements, on-call, summary.

The routes live in topic modules sharing one blueprint (``common_views.bp``): check-in and the
board (checkin_views), alerts and incidents (incident_views), the on-call roster and summary
(oncall_views). Importing this module registers them all.
"""

from __future__ import annotations

from scheduler.response import checkin_views, incident_views, oncall_views  # noqa: F401  (their routes)
from scheduler.response.common_views import bp

__all__ = ["bp"]
