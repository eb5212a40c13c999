"""Refresh the Spanish catalogue from the extracted template, in the layout kept in git.

``make extract-messages`` runs this after ``pybabel extract``. The catalogue is written sorted,
without source locations and wrapped at 100 columns, so a new string is a small diff instead of
every location line moving. New strings arrive untranslated: the suite fails until they are.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent


def refresh(locale: str = "es", fragments: list[Path] | None = None) -> tuple[int, int]:
    """Merge the template (and translations from PO ``fragments``, if given) into the catalogue."""
    with (HERE / "messages.pot").open("rb") as f:
        template = read_po(f)
    po_path = HERE / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    catalog.update(template, no_fuzzy_matching=True)
    for fragment in fragments or []:
        _take_translations(catalog, fragment, locale)
    catalog.project, catalog.version = "Accompany", ""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, sort_output=True, ignore_obsolete=True)
    # Babel writes a placeholder bug-report address (the project has none to give) and a
    # "project version" header that the project does not version.
    text = re.sub(rb'"Report-Msgid-Bugs-To: [^"]*"\n', b"", buffer.getvalue())
    text = re.sub(rb'"Project-Id-Version: [^"]*"', rb'"Project-Id-Version: Accompany\\n"', text)
    po_path.write_bytes(text)
    # A plural's string is a tuple of forms, never empty itself: each form must be filled.
    missing = sum(
        1 for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    )
    return len([m for m in catalog if m.id]), missing


def _take_translations(catalog: Catalog, fragment: Path, locale: str) -> None:
    """Copy each translated message of a PO fragment into the catalogue, no longer fuzzy."""
    with fragment.open("rb") as f:
        for message in read_po(f, locale=locale):
            if message.id and message.string and message.id in catalog:
                catalog[message.id].string = message.string
                catalog[message.id].flags.discard("fuzzy")


if __name__ == "__main__":
    # python -m scheduler.translations.refresh [fragment.po ...]: also take translations from these.
    total, missing = refresh(fragments=[Path(arg) for arg in sys.argv[1:]])
    print(f"{total} messages, {missing} untranslated")
