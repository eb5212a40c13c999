"""Signal through signal-cli's JSON-RPC over HTTP (``signal-cli daemon --http``: POST /api/v1/rpc)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from scheduler.notifications.channels.base import Delivery, DeliveryError, short_text
from scheduler.notifications.channels.retry import HttpProvider

SIGNAL_LIMIT = 2000
_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class SignalSettings:
    url: str  # e.g. http://127.0.0.1:8080
    account: str  # the number signal-cli is registered with


class SignalCLI(HttpProvider[SignalSettings]):
    def send(self, delivery: Delivery) -> None:
        request = {
            "jsonrpc": "2.0",
            "method": "send",
            "params": {
                "account": self.settings.account,
                "recipient": [delivery.to],
                "message": short_text(delivery, limit=SIGNAL_LIMIT),
            },
            "id": next(_ids),
        }
        url = self.settings.url.rstrip("/") + "/api/v1/rpc"
        response = self.session.post(url, json=request)
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryError("signal-cli: not JSON") from exc
        if not isinstance(answer, dict) or "error" in answer:
            # JSON-RPC errors (unregistered recipient, rate limit...): the code only.
            code = answer.get("error", {}).get("code") if isinstance(answer, dict) else None
            raise DeliveryError(f"signal-cli error {code}", permanent=code is not None and code != -5)
