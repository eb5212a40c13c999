"""Accounts: registration, sign-in, passwords, vetting and roles, sessions."""
