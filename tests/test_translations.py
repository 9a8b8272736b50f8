"""Every contractor catalog is complete, keeps every placeholder and tag, and compiles.

The contractor domain (babel-contractor.cfg) is what a contractor reads: pages, forms, mails and
the taxonomy. A missing or broken message there is English (or a crash) for a frightened reader.
"""

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.config import Config
from portal.core.catalog_status import review_status

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "portal" / "translations"
TRANSLATED = [code for code in Config.LANGUAGES if code != "en"]
# %(name)s and friends, %%, {name}, ((name)), HTML tags (by name and kind) and entities.
_PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|%%|\{[a-z_0-9]*\}|\(\([a-z_0-9]+\)\)|</?[a-z]+|&[#a-z0-9]+;")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _catalog(path: Path, locale: str):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _template_ids() -> set:
    return {message.id for message in _catalog(FOLDER / "contractor.pot", "en") if message.id}


@pytest.fixture(scope="module", params=TRANSLATED)
def language(request):
    return request.param


@pytest.fixture(scope="module")
def catalog(language):
    path = FOLDER / language / "LC_MESSAGES" / "contractor.po"
    assert path.exists(), f"no contractor catalog for {language}"
    return _catalog(path, language)


def test_every_contractor_message_is_translated(catalog, language):
    have = {message.id: message for message in catalog if message.id}
    missing = sorted(str(msgid) for msgid in _template_ids() - have.keys())
    empty = [
        str(message.id)
        for message in have.values()
        if not (all(message.string) if message.pluralizable else message.string)
    ]
    fuzzy = [str(message.id) for message in have.values() if "fuzzy" in message.flags]
    assert (missing, empty, fuzzy) == ([], [], []), f"{language}: run `make translations` and translate these"


def test_every_translation_keeps_its_placeholders_tags_and_line_breaks(catalog, language):
    broken = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        # A plural form may leave out the count the singular msgid does not show ("The step is done").
        optional = set(placeholders(ids[-1])) - set(placeholders(ids[0])) if message.pluralizable else set()
        wanted = [p for p in placeholders(ids[-1]) if p not in optional]
        for string in filter(None, strings):  # an empty one is the completeness test's to report
            got = [p for p in placeholders(string) if p not in optional]
            if got != wanted or string.count("\n") != ids[0].count("\n"):
                broken.append((ids[0], string))
    assert broken == [], f"{language}: {len(broken)} broken, e.g. {broken[:3]}"


def test_plural_forms_match_the_header(catalog, language):
    wrong = [m.id for m in catalog if m.id and m.pluralizable and len(m.string) != catalog.num_plurals]
    assert wrong == []


def test_the_catalog_compiles(catalog, language, tmp_path):
    path = FOLDER / language / "LC_MESSAGES" / "contractor.po"
    checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr
    assert [error for _, errors in catalog.check() for error in errors] == []
    with (tmp_path / "contractor.mo").open("wb") as handle:
        write_mo(handle, catalog)


def test_the_header_states_the_review_status(catalog, language):
    path = FOLDER / language / "LC_MESSAGES" / "contractor.po"
    assert review_status(path), f"{language}: say who wrote it and whether it was reviewed"
    assert dict(catalog.mime_headers).get("Language") == language


def test_the_placeholder_check_catches_what_it_should():
    assert placeholders("Hello %(name)s, see <strong>((code))</strong>") != placeholders("Hola %(nombre)s, ((code))")
    assert placeholders("{n} &nbsp;items") == placeholders("&nbsp;{n} artículos")


def _contractor_templates() -> list[Path]:
    config = (ROOT / "babel-contractor.cfg").read_text(encoding="utf-8")
    patterns = re.findall(r"^\[jinja2: (templates/\S+)\]", config, re.MULTILINE)
    return sorted({path for pattern in patterns for path in ROOT.glob(pattern.replace("**", "**/*"))})


# A visible label followed by a hidden piece to complete it for a screen reader ("Change" + " the
# account"): the pieces are translated apart and read in English word order ("बदलें खाता").
_FRAGMENT = re.compile(r'\}\}<span class="visually-hidden">\s*\{\{ _\(')


def test_screen_reader_labels_are_whole_sentences_not_fragments_after_a_visible_label():
    templates = _contractor_templates()
    assert len(templates) > 40, "the contractor templates were found"
    fragments = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for m in _FRAGMENT.finditer(text)
    ]
    assert fragments == [], f"hide the visible label and give the whole sentence instead: {fragments}"
