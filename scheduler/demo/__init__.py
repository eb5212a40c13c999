"""A demo network to try the app with (`flask seed-demo`)."""
