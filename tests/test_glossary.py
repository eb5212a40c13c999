"""The Spanish catalogue follows the glossary in /work/shared/DOMAIN.md ("Spanish words we use").

Court is "corte" (de inmigración), never "tribunal": the same word for the same thing on every page.
"""

import re
from pathlib import Path

import pytest
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


# The glossary's other words, where the English names the thing (a seat is left out: "remind me
# before a seat" is about the shift's time, and says "turno").
GLOSSARY = {
    r"\bhearings?\b": r"\baudiencias?\b",
    r"\bICE check-ins?\b": r"\bcitas? con ICE\b",
    r"\binterpreters?\b": r"\bintérpretes?\b",
    r"\bwaitlist\b": r"\blista de espera\b",
    r"\bteam lead\b": r"\bresponsable del equipo\b",
    r"\bmeeting point\b": r"\bpunto de encuentro\b",
    r"\balerts?\b": r"\balertas?\b",
}


@pytest.mark.parametrize(("english_word", "spanish_word"), GLOSSARY.items())
def test_the_same_word_for_the_same_thing(english_word: str, spanish_word: str) -> None:
    pairs = [pair for pair in _pairs() if re.search(english_word, PLACEHOLDER.sub("", pair[0]), re.I)]
    assert pairs
    assert [pair for pair in pairs if not re.search(spanish_word, pair[1], re.IGNORECASE)] == []


# Words that only the familiar "tú" uses: its pronouns and possessives, and the second person of
# the verbs the app uses most. None of them is a word in correct "usted" Spanish. (Imperatives such
# as "elige" or "revisa" are left out: they are also the "usted" present, "lo elige usted".)
TU_FORMS = re.compile(
    r"(?<![\w%])(tú|tu|tus|te|ti|contigo|tuyos?|tuyas?|tienes|puedes|quieres|estás|eres|eras|"
    r"estabas|sigues|necesitas|prefieres|recibes|hablas|sueles|verás|podrás|recibirás|estarás|"
    r"tengas|puedas|quieras|hayas|suscríbete|regístrate|inténtalo|déjalo|déjalos|olvidaste|perdiste|"
    r"dejaste|fuiste)(?!\w)",
    re.IGNORECASE,
)


def test_spanish_says_usted_not_tu() -> None:
    assert [text for _, text in _pairs() if TU_FORMS.search(text)] == []
