"""Trainings a network runs. Keys are stored; names are translated in ``scheduler.i18n``."""

TRAINING_KEYS: tuple[str, ...] = (
    "orientation",
    "court_accompaniment",
    "interpreter_ethics",
    "driver_safety",
    "know_your_rights",
)
