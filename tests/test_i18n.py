"""The English catalog is complete: every string wrapped for translation is in it.

This fails when someone adds a user-facing string and forgets `make translations`, which would
leave the other languages' translators without it.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "portal" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_string_is_in_the_english_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        extracted = {
            message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id
        }
    with ENGLISH.open("rb") as handle:
        english = {
            message.id if isinstance(message.id, str) else message.id[0]: message.string
            for message in read_po(handle, locale="en")
            if message.id
        }
    # Mail bodies are templates too (templates/**.txt): the translators must get them.
    assert "We received your claim for: %(title)s." in extracted
    assert "Your new notice code is: %(code)s" in extracted
    missing = sorted(extracted - english.keys())
    assert not missing, f"run `make translations`; {len(missing)} strings missing, e.g. {missing[:5]}"
    assert all(english[msgid] for msgid in extracted), "English catalog has untranslated entries"


def test_every_taxonomy_text_is_in_the_english_catalog():
    from portal.taxonomy import load_taxonomy

    with ENGLISH.open("rb") as handle:
        ids = {message.id for message in read_po(handle, locale="en") if message.id}
    texts = [
        text
        for category in load_taxonomy().values()
        for text in (category.title, category.means, *(step.text for step in category.steps))
    ]
    assert len(texts) > 40
    assert [text for text in texts if text not in ids] == []
