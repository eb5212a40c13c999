"""Extension objects, created unbound and attached in the app factory."""

from typing import TYPE_CHECKING, ClassVar

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table, inspect
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
    """The models' base. They subclass it, not ``db.Model``, which type checkers cannot see
    through; ``db`` is built on it, so both share this metadata and registry (``create_all``,
    Alembic, ``db.session`` see every model), and ``Model.query`` (legacy) is not offered."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:
        # Every model maps a Table (DeclarativeBase allows any FromClause: a join, a subquery).
        __table__: ClassVar[Table]

    def __repr__(self) -> str:
        # As db.Model showed rows: "<Hearing 12>", or "(pending 1403...)" before the flush.
        state = inspect(self)
        if state.transient or state.pending:
            return f"<{type(self).__name__} ({'transient' if state.transient else 'pending'} {id(self)})>"
        return f"<{type(self).__name__} {', '.join(map(str, state.identity or ()))}>"


# A failed statement's error text (and so a logged traceback) would otherwise quote its values:
# private notes, names, phones, password hashes. Defaults that SQLALCHEMY_ENGINE_OPTIONS extends.
ENGINE_OPTIONS = {"hide_parameters": True}
db = SQLAlchemy(model_class=Base, engine_options=ENGINE_OPTIONS)
# Services take a sqlalchemy.orm.Session; db.session is only a proxy to this context's one, so
# callers hand them the Session itself: db.session() (the same object every proxied call uses).
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
