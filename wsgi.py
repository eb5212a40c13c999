"""Entry point for gunicorn and ``flask --app wsgi``."""

from scheduler import create_app

app = create_app()
