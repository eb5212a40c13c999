"""A person's control over their own account: sign out everywhere, download, delete."""
