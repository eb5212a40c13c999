from scheduler.domain.passwords import MAX_LENGTH, PasswordProblem, password_problems


def test_a_long_uncommon_password_passes() -> None:
    assert password_problems("walnut river lantern", min_length=10, email="ana@example.org") == []


def test_short_password_is_refused() -> None:
    assert password_problems("Xy7!kq", min_length=10) == [PasswordProblem.TOO_SHORT]


def test_exactly_the_minimum_length_passes() -> None:
    assert password_problems("q8v-lmz.t3", min_length=10) == []


def test_common_password_is_refused_whatever_its_case() -> None:
    assert PasswordProblem.TOO_COMMON in password_problems("PASSWORD123", min_length=10)
    assert PasswordProblem.TOO_COMMON in password_problems("qwertyuiop", min_length=10)


def test_repeated_characters_count_as_common() -> None:
    assert PasswordProblem.TOO_COMMON in password_problems("abababababab", min_length=10)


def test_password_containing_the_email_name_is_refused() -> None:
    problems = password_problems("maria.lopez-2026", min_length=10, email="Maria.Lopez@example.org")
    assert problems == [PasswordProblem.CONTAINS_EMAIL]


def test_very_short_email_names_do_not_block_passwords() -> None:
    # "al" appears in countless words; refusing it would refuse good passwords.
    assert password_problems("totally unrelated words", min_length=10, email="al@example.org") == []


def test_overlong_password_is_refused() -> None:
    assert PasswordProblem.TOO_LONG in password_problems("x7" * MAX_LENGTH, min_length=10)
