"""One Spanish word for the same thing on every page (the glossary in docs: court = tribunal)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parent.parent / "scheduler" / "translations" / "es" / "LC_MESSAGES" / "messages.po"


def test_court_is_always_tribunal_in_spanish() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    other_word = re.compile(r"\bcortes?\b", re.IGNORECASE)
    found = []
    for message in catalogue:
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend(text for text in texts if text and other_word.search(text))
    assert found == []
