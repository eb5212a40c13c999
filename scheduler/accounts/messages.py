"""Translated texts for refusals that services report by code."""

from flask_babel import lazy_gettext as _l

from scheduler.domain.passwords import PasswordProblem

PASSWORD_PROBLEMS = {
    PasswordProblem.TOO_SHORT: _l("Use at least 10 characters."),
    PasswordProblem.TOO_LONG: _l("Use at most 256 characters."),
    PasswordProblem.TOO_COMMON: _l("This password is too common and easy to guess. Choose another."),
    PasswordProblem.CONTAINS_EMAIL: _l("Do not use your email address in your password."),
}


def password_messages(problems: list[PasswordProblem]) -> list[str]:
    return [str(PASSWORD_PROBLEMS[p]) for p in problems]
