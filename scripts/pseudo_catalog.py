"""Generate the development pseudo-locale's contractor catalog from the English one.

Every letter gets an accent and every message grows by about 40% between ⟦ ⟧, so a page that
still shows plain English has a string that escaped gettext, and a layout that breaks at longer
text shows at once. Placeholders, HTML tags and entities, Markdown link targets and surrounding
whitespace are kept as they are, so the catalog compiles and renders like a real one.

Babel has no pseudo-locale, so the catalog is stored under ``en_001`` (CLDR's "English (world)",
which the portal offers no one); the app offers it only in development, as ``en-x-pseudo``.
"""

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

PSEUDO_DIRECTORY = "en_001"
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþɋŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞɊŔŠŢÛṼŴẊÝŽ",
)
# Kept verbatim: %(name)s / %(n)d / %%, {name}, ((name)), <tags>, &entities;, ](link targets).
_KEEP = re.compile(r"%\([a-z_0-9]+\)[sdf]|%%|\{[a-z_0-9]*\}|\(\([a-z_0-9]+\)\)|<[^>]+>|&[#a-z0-9]+;|\]\([^)]*\)")


def pseudo(text: str) -> str:
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    parts, last = [], 0
    for match in _KEEP.finditer(core):
        parts.append(core[last : match.start()].translate(_ACCENTED))
        parts.append(match.group(0))
        last = match.end()
    parts.append(core[last:].translate(_ACCENTED))
    padding = "·" * max(2, round(len(core) * 0.4))
    return f"{lead}⟦{''.join(parts)} {padding}⟧{trail}"


def generate(folder: Path) -> int:
    with (folder / "contractor.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="en_001", domain="contractor", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        string = tuple(pseudo(text) for text in message.id) if message.pluralizable else pseudo(message.id)
        catalog.add(message.id, string, locations=(), flags=message.flags - {"fuzzy"})
    target = folder / PSEUDO_DIRECTORY / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "contractor.po").open("wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False, no_location=True)
    return len(catalog)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "portal/translations")
    print(f"{generate(root)} pseudo-locale messages written")
