"""Volunteers find, claim, drop and hand over seats; coordinators staff and follow up shifts."""
