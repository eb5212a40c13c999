"""SMS through Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json)."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.notifications.channels.base import Delivery, short_text
from scheduler.notifications.channels.retry import HttpProvider

# A few SMS segments at most; the link always fits.
SMS_LIMIT = 320


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    from_number: str
    api_base: str = "https://api.twilio.com"


class TwilioSMS(HttpProvider[TwilioSettings]):
    @property
    def url(self) -> str:
        base = self.settings.api_base.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.settings.account_sid}/Messages.json"

    def send(self, delivery: Delivery) -> None:
        self.session.post(
            self.url,
            data={
                "To": delivery.to,
                "From": self.settings.from_number,
                "Body": short_text(delivery, limit=SMS_LIMIT),
            },
            auth=(self.settings.account_sid, self.settings.auth_token),
        )
