"""The HTTP retry loop the SMS, Signal and Web Push providers share.

One send tries a few times within the call: a 429 waits what ``Retry-After`` says (when that is
short), a 5xx waits an exponentially growing delay, both capped. A refused connection or a
timeout is not retried here: the provider is away, and the outbox's own backoff (seconds for
urgent messages) tries again while the worker sends what other channels carry. A longer
Retry-After, or the last failed try, raises DeliveryError and the outbox row is retried later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import requests

from scheduler.notifications.channels.base import DeliveryError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    tries: int = 3
    base_delay: float = 0.5
    # The longest one wait inside a send; a longer Retry-After is left to the outbox.
    max_delay: float = 4.0
    # Seconds to connect and to read the answer.
    timeout: float = 10.0


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return max((when - current).total_seconds(), 0.0)


def backoff_delay(policy: RetryPolicy, attempt: int) -> float:
    """0.5, 1, 2, 4 ... seconds before try ``attempt + 1``, never more than ``max_delay``."""
    return float(min(policy.base_delay * 2**attempt, policy.max_delay))


def _judge(response: requests.Response, policy: RetryPolicy) -> tuple[DeliveryError | None, float]:
    """None when accepted; else the error and how long to wait before trying again."""
    code = response.status_code
    if 200 <= code < 300:
        return None, 0.0
    wait = retry_after(response.headers.get("Retry-After"))
    if code == 429 or code >= 500:
        return DeliveryError(f"HTTP {code}", retry_after=wait), wait if wait is not None else -1.0
    return DeliveryError(f"HTTP {code}", permanent=True, gone=code in (404, 410)), 0.0


def post(
    http: Any,
    url: str,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> requests.Response:
    """POST with the retry rules above; the accepted response, else DeliveryError."""
    kwargs.pop("timeout", None)
    error = DeliveryError("no try")
    for attempt in range(policy.tries):
        try:
            response = http.post(url, timeout=policy.timeout, **kwargs)
        except requests.Timeout as exc:
            raise DeliveryError("timeout", unreachable=True) from exc
        except requests.ConnectionError as exc:
            raise DeliveryError("connection refused", unreachable=True) from exc
        failure, wait = _judge(response, policy)
        if failure is None:
            return response
        error = failure
        if failure.permanent or attempt + 1 == policy.tries:
            break
        if wait > policy.max_delay:
            break  # a long Retry-After: the outbox waits it out, the worker goes on
        sleep(wait if wait >= 0 else backoff_delay(policy, attempt))
    raise error


class RetryingSession:
    """A requests-like object whose ``post`` retries as above (for pywebpush's session argument)."""

    def __init__(self, http: Any, policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = http
        self.policy = policy
        self.sleep = sleep

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return post(self.http, url, policy=self.policy, sleep=self.sleep, **kwargs)


S = TypeVar("S")


class HttpProvider(Generic[S]):
    """What the SMS, Signal and Web Push providers share: their settings and a RetryingSession."""

    def __init__(
        self,
        settings: S,
        *,
        policy: RetryPolicy | None = None,
        http: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.session = RetryingSession(http or requests.Session(), policy or RetryPolicy(), sleep)
