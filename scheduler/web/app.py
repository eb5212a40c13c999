"""Wiring the app: extensions, every area's blueprint and CLI group, and the app-wide web parts.

The one module that knows every area; ``create_app`` calls it once the config is loaded.
Order matters where a comment says so.
"""

from __future__ import annotations

from flask import Flask

from scheduler import (
    db_events,  # noqa: F401  (SQLite pragmas)
    logredact,
    models,  # noqa: F401  (register every table)
)
from scheduler.accounts.account_views import bp as account_bp
from scheduler.accounts.views import bp as auth_bp
from scheduler.api import init_api
from scheduler.casework.views import bp as casework_bp
from scheduler.cli import register_cli
from scheduler.courts.views import bp as courts_bp
from scheduler.extensions import babel, csrf, db, limiter, login_manager, migrate
from scheduler.feeds import (
    changes,  # noqa: F401  (the feed change journal listens to every session from here on)
    revisions,  # noqa: F401  (and so does the calendar events' revision counter)
)
from scheduler.feeds.cli import feeds_cli
from scheduler.feeds.views import bp as feeds_bp
from scheduler.hearings.page_views import bp as hearings_bp
from scheduler.i18n import select_locale
from scheduler.mail import backend_from_config
from scheduler.matching.views import bp as matching_bp
from scheduler.notifications.channel_views import bp as channels_bp
from scheduler.notifications.cli import outbox_cli, push_cli
from scheduler.notifications.views import bp as notifications_bp
from scheduler.people.views import bp as people_bp
from scheduler.privacy.admin_views import bp as admin_bp
from scheduler.privacy.cli import purge_command
from scheduler.privacy.views import bp as privacy_bp
from scheduler.response.views import bp as response_bp
from scheduler.shifts.views import bp as shifts_bp
from scheduler.twofactor.views import bp as twofactor_bp
from scheduler.web import security  # noqa: F401  (user loader)
from scheduler.web.errors import register_error_handlers
from scheduler.web.headers import init_headers
from scheduler.web.inputguard import init_input_guard
from scheduler.web.proxy import init_proxy
from scheduler.web.session_guard import init_session_guard
from scheduler.web.templating import register_template_helpers
from scheduler.web.views import bp as main_bp

BLUEPRINTS = (
    main_bp,
    auth_bp,
    account_bp,
    people_bp,
    courts_bp,
    hearings_bp,
    shifts_bp,
    feeds_bp,
    notifications_bp,
    channels_bp,
    twofactor_bp,
    privacy_bp,
    admin_bp,
    matching_bp,
    casework_bp,
    response_bp,
)


def build(app: Flask) -> None:
    """Attach everything to an app whose config is loaded."""
    init_proxy(app)  # before anything reads the client address (rate limits)
    init_input_guard(app)  # before any route: it bounds <int:...>
    _init_extensions(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_api(app)
    for command in (feeds_cli, outbox_cli, push_cli, purge_command):
        app.cli.add_command(command)
    init_session_guard(app)
    init_headers(app)
    logredact.install(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    app.extensions["mail"] = backend_from_config(app.config)
