"""The languages the app matches interpreters and hearings by.

Codes are ISO 639-1 where one exists, else ISO 639-3 (Mam ``mam``, K'iche' ``quc``,
Q'anjob'al ``kjb``). The display names, translated, live in ``scheduler.i18n``.
"""

LANGUAGE_CODES: tuple[str, ...] = (
    "es",
    "en",
    "pt",
    "ht",
    "zh",
    "pa",
    "mam",
    "quc",
    "kjb",
    "ixl",
    "acr",
    "fr",
    "ar",
    "ru",
    "uk",
    "hi",
    "bn",
    "ne",
    "vi",
    "tr",
    "ro",
    "wo",
    "ti",
    "am",
    "so",
    "ps",
    "fa",
    "ln",
)


def is_known_language(code: str) -> bool:
    return code in LANGUAGE_CODES
