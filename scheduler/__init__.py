"""Accompany: scheduling volunteers who accompany immigrants to court and ICE check-ins."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config layers, then everything else (scheduler/web/app.py)."""
    app = Flask(
        __name__,
        # The instance folder (secret key, SQLite file, local config) can live outside the code.
        instance_path=os.environ.get("SCHEDULER_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    # Imported here, not at the top: `import scheduler.domain` (pure) must not load Flask's
    # whole app through this package's __init__.
    from scheduler.config import load_config
    from scheduler.web.app import build

    load_config(app, test_config)
    build(app)
    return app
