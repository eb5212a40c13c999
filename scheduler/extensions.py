"""Extension objects, created unbound and attached in the app factory."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from scheduler.mail import MailBackend
from scheduler.secretbox import SecretBox

# Alembic needs named constraints (and SQLite batch mode rebuilds tables by these names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A failed statement's error text (and so a logged traceback) would otherwise quote its values:
# private notes, names, phones, password hashes. Defaults that SQLALCHEMY_ENGINE_OPTIONS extends.
ENGINE_OPTIONS = {"hide_parameters": True}
db = SQLAlchemy(model_class=Base, engine_options=ENGINE_OPTIONS)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def secret_box() -> SecretBox:
    """The running app's box for secrets at rest (built at start-up from SECRETS_KEY)."""
    box: SecretBox = current_app.extensions["secret_box"]
    return box


def mailer() -> MailBackend:
    """The running app's mail backend (MAIL_BACKEND, set up at start-up)."""
    backend: MailBackend = current_app.extensions["mail"]
    return backend
