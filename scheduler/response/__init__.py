"""Rapid response (issue 19): check-in on the day, alerts, the on-call roster, escalation, records."""
