"""The Spanish catalogue follows the glossary in /work/shared/DOMAIN.md ("Spanish words we use").

Court is "corte" (de inmigración), never "tribunal": the same word for the same thing on every page.
"""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parent.parent / "scheduler" / "translations" / "es" / "LC_MESSAGES" / "messages.po"

# "court"/"courts" as the immigration court; "courtroom" is "sala" and is a different word.
COURT_IN_ENGLISH = re.compile(r"\bcourts?\b", re.IGNORECASE)
COURT_IN_SPANISH = re.compile(r"\bcortes?\b", re.IGNORECASE)
OTHER_WORD = re.compile(r"\btribunal(es)?\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}")  # %(court)s is a value, not the word


def _pairs() -> list[tuple[str, str]]:
    """Every (English, Spanish) pair in the catalogue, plural forms included."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((ids[min(i, len(ids) - 1)], text) for i, text in enumerate(texts) if text)
    return pairs


def test_court_is_never_tribunal_in_spanish() -> None:
    assert [text for _, text in _pairs() if OTHER_WORD.search(text)] == []


def test_every_court_in_english_is_corte_in_spanish() -> None:
    pairs = [pair for pair in _pairs() if COURT_IN_ENGLISH.search(PLACEHOLDER.sub("", pair[0]))]
    assert len(pairs) > 40  # the word is everywhere: a broken pattern must not pass by matching nothing
    assert [(english, text) for english, text in pairs if not COURT_IN_SPANISH.search(text)] == []
