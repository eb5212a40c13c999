"""The ways to hand a feed URL to a calendar app."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class SubscriptionLinks:
    https: str  # to copy into Outlook, Thunderbird, or anything else
    webcal: str  # opens the subscribe dialog of Apple Calendar (and Outlook on Windows)
    google: str  # Google Calendar's "add by URL" page, pre-filled


def subscription_links(https_url: str) -> SubscriptionLinks:
    webcal = "webcal://" + https_url.split("://", 1)[1]
    # Google accepts the webcal form in cid and then polls over https.
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return SubscriptionLinks(https=https_url, webcal=webcal, google=google)
