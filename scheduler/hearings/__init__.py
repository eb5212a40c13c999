"""Coordinators post, import, reschedule and cancel hearings, and watch coverage."""
