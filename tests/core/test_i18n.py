"""The English catalogs are complete: every string wrapped for translation is in one of them.

This fails when someone adds a user-facing string and forgets `make translations`, which would
leave the other languages' translators without it. Contractor-side strings are in the contractor
domain (babel-contractor.cfg), the staff area's in messages.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_FOLDER = ROOT / "portal" / "translations" / "en" / "LC_MESSAGES"
CONTRACTOR = ENGLISH_FOLDER / "contractor.po"


def _extract(tmp_path, config: str) -> set[str]:
    pot = tmp_path / f"{config}.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", config]
    subprocess.run([*command, "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id
        }


def _english(domain: str) -> dict[str, str]:
    with (ENGLISH_FOLDER / f"{domain}.po").open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]: message.string
            for message in read_po(handle, locale="en")
            if message.id
        }


def test_every_extracted_string_is_in_the_english_catalogs(tmp_path):
    extracted = _extract(tmp_path, "babel.cfg")
    contractor_side = _extract(tmp_path, "babel-contractor.cfg")
    english = {**_english("messages"), **_english("contractor")}
    # Mail bodies are templates too (templates/**.txt): the translators must get them.
    assert "We received your claim for: %(title)s." in contractor_side
    assert "Your new notice code is: %(code)s" in contractor_side
    missing = sorted(extracted - english.keys())
    assert not missing, f"run `make translations`; {len(missing)} strings missing, e.g. {missing[:5]}"
    assert all(english[msgid] for msgid in extracted), "English catalog has untranslated entries"
    # Each contractor-side string is in the contractor domain, whose catalogs every language completes.
    assert sorted(contractor_side - _english("contractor").keys()) == []
    assert sorted(contractor_side & _english("messages").keys()) == [], "a contractor string left in messages"


def test_every_taxonomy_text_is_in_the_english_catalog():
    from portal.core.taxonomy import load_taxonomy

    with CONTRACTOR.open("rb") as handle:
        ids = {message.id for message in read_po(handle, locale="en") if message.id}
    texts = [
        text
        for category in load_taxonomy().values()
        for text in (category.title, category.means, *(step.text for step in category.steps))
    ]
    assert len(texts) > 40
    assert [text for text in texts if text not in ids] == []
