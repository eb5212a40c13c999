"""Accompany: scheduling volunteers who accompany immigrants to court and ICE check-ins."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config layers, extensions, blueprints, error pages."""
    app = Flask(
        __name__,
        # The instance folder (secret key, SQLite file, local config) can live outside the code.
        instance_path=os.environ.get("SCHEDULER_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from scheduler.config import load_config

    load_config(app, test_config)
    from scheduler.web.proxy import init_proxy

    init_proxy(app)  # before anything reads the client address (rate limits)
    from scheduler.web.inputguard import init_input_guard

    init_input_guard(app)  # before any route: it bounds <int:...>

    from scheduler import (
        db_events,  # noqa: F401  (SQLite pragmas)
        models,  # noqa: F401  (register every table)
    )
    from scheduler.extensions import babel, csrf, db, limiter, login_manager, migrate
    from scheduler.feeds import (
        changes,  # noqa: F401  (the feed change journal listens to every session from here on)
        revisions,  # noqa: F401  (and so does the calendar events' revision counter)
    )
    from scheduler.i18n import select_locale
    from scheduler.mail import backend_from_config

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    app.extensions["mail"] = backend_from_config(app.config)

    from scheduler.accounts.account_views import bp as account_bp
    from scheduler.accounts.views import bp as auth_bp
    from scheduler.courts.views import bp as courts_bp
    from scheduler.feeds.cli import feeds_cli
    from scheduler.feeds.views import bp as feeds_bp
    from scheduler.hearings.page_views import bp as hearings_bp
    from scheduler.people.views import bp as people_bp
    from scheduler.shifts.views import bp as shifts_bp
    from scheduler.web import security  # noqa: F401  (user loader)
    from scheduler.web.errors import register_error_handlers
    from scheduler.web.templating import register_template_helpers
    from scheduler.web.views import bp as main_bp

    for blueprint in (main_bp, auth_bp, account_bp, people_bp, courts_bp, hearings_bp, shifts_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(feeds_bp)
    app.cli.add_command(feeds_cli)
    from scheduler.notifications.cli import outbox_cli
    from scheduler.notifications.views import bp as notifications_bp

    app.register_blueprint(notifications_bp)
    app.cli.add_command(outbox_cli)
    from scheduler import logredact
    from scheduler.privacy.admin_views import bp as admin_bp
    from scheduler.privacy.views import bp as privacy_bp
    from scheduler.twofactor.views import bp as twofactor_bp
    from scheduler.web.headers import init_headers
    from scheduler.web.session_guard import init_session_guard

    for blueprint in (twofactor_bp, privacy_bp, admin_bp):
        app.register_blueprint(blueprint)
    from scheduler.matching.views import bp as matching_bp

    app.register_blueprint(matching_bp)
    from scheduler.privacy.cli import purge_command

    app.cli.add_command(purge_command)
    init_session_guard(app)
    init_headers(app)
    logredact.install(app)
    register_error_handlers(app)
    register_template_helpers(app)

    from scheduler.cli import register_cli

    register_cli(app)
    return app
