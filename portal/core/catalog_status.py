"""Each contractor catalog's completeness and review status, for the staff dashboard.

The review status is the catalog header's ``X-Review-Status`` (who wrote it and whether a native
speaker has checked it), so an organisation sees what to send to its translators before launch.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from portal.core.i18n import CONTRACTOR_DOMAIN, LANGUAGE_NAMES

SOURCE_LANGUAGE_STATUS = "source text (English)"


@dataclass(frozen=True)
class CatalogStatus:
    code: str
    name: str
    translated: int
    total: int
    review_status: str


# Babel's reader keeps only the headers it knows, so this one is read from the file itself.
_REVIEW_STATUS = re.compile(r'^"X-Review-Status: (.*?)(?:\\n)?"$', re.MULTILINE)


def review_status(path: Path) -> str:
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    match = _REVIEW_STATUS.search(header)
    return match.group(1).strip() if match else ""


@lru_cache(maxsize=8)
def catalog_statuses(folder: str, languages: tuple[str, ...]) -> tuple[CatalogStatus, ...]:
    """Catalogs do not change while the app runs: read once per process."""
    statuses = []
    for code in languages:
        path = Path(folder) / code / "LC_MESSAGES" / f"{CONTRACTOR_DOMAIN}.po"
        if not path.exists():
            statuses.append(CatalogStatus(code, LANGUAGE_NAMES[code], 0, 0, ""))
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code.replace("-", "_"))
        messages = [message for message in catalog if message.id]
        translated = sum(
            1
            for message in messages
            if "fuzzy" not in message.flags and (all(message.string) if message.pluralizable else message.string)
        )
        status = SOURCE_LANGUAGE_STATUS if code == "en" else review_status(path)
        statuses.append(CatalogStatus(code, LANGUAGE_NAMES[code], translated, len(messages), status))
    return tuple(statuses)
