"""The providers the settings configure: a channel without its settings is simply not offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduler.notifications.channels.base import EMAIL, PUSH, SIGNAL, SMS, Provider
from scheduler.notifications.channels.retry import RetryPolicy
from scheduler.notifications.channels.signal_cli import SignalCLI, SignalSettings
from scheduler.notifications.channels.sms import TwilioSettings, TwilioSMS
from scheduler.notifications.channels.webpush import VapidSettings, WebPush


def policy_from_config(config: Mapping[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        tries=int(config.get("CHANNEL_HTTP_TRIES", 3)),
        max_delay=float(config.get("CHANNEL_HTTP_MAX_DELAY", 4.0)),
        timeout=float(config.get("CHANNEL_HTTP_TIMEOUT", 10.0)),
    )


def twilio_settings(config: Mapping[str, Any]) -> TwilioSettings | None:
    if not (
        config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN") and config.get("TWILIO_FROM")
    ):
        return None
    return TwilioSettings(
        account_sid=config["TWILIO_ACCOUNT_SID"],
        auth_token=config["TWILIO_AUTH_TOKEN"],
        from_number=config["TWILIO_FROM"],
        api_base=config.get("TWILIO_API_BASE") or "https://api.twilio.com",
    )


def signal_settings(config: Mapping[str, Any]) -> SignalSettings | None:
    if not (config.get("SIGNAL_CLI_URL") and config.get("SIGNAL_NUMBER")):
        return None
    return SignalSettings(url=config["SIGNAL_CLI_URL"], account=config["SIGNAL_NUMBER"])


def vapid_settings(config: Mapping[str, Any]) -> VapidSettings | None:
    if not (config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY")):
        return None
    return VapidSettings(
        private_key=config["VAPID_PRIVATE_KEY"],
        public_key=config["VAPID_PUBLIC_KEY"],
        subject=config.get("VAPID_SUBJECT") or "mailto:admin@localhost",
    )


def configured_channels(config: Mapping[str, Any]) -> frozenset[str]:
    """Email always; SMS, Signal and push where their settings are given."""
    found = {EMAIL}
    if twilio_settings(config):
        found.add(SMS)
    if signal_settings(config):
        found.add(SIGNAL)
    if vapid_settings(config):
        found.add(PUSH)
    return frozenset(found)


def providers_from_config(config: Mapping[str, Any]) -> dict[str, Provider]:
    """The non-email providers, by channel name."""
    policy = policy_from_config(config)
    providers: dict[str, Provider] = {}
    if (twilio := twilio_settings(config)) is not None:
        providers[SMS] = TwilioSMS(twilio, policy=policy)
    if (signal := signal_settings(config)) is not None:
        providers[SIGNAL] = SignalCLI(signal, policy=policy)
    if (vapid := vapid_settings(config)) is not None:
        providers[PUSH] = WebPush(vapid, policy=policy)
    return providers
