"""Two-step sign-in (TOTP and recovery codes): the login's second step and the settings page."""
