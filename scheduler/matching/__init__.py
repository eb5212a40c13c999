"""Matching: suggestions on a shift, recommendations for volunteers, plans and invitations."""
