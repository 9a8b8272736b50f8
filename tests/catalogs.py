"""Throw-away translation catalogs, for tests of what a page does with catalogs it controls.

``translated_app`` builds an app on the session's database whose catalogs
translate the given messages.
"""

from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from portal import create_app
from portal.extensions import babel
from tests.conftest import test_config
from tests.csrf_client import CsrfClient


def write_catalogs(folder: Path, languages, messages: dict[str, str]) -> Path:
    """``messages``: msgid -> translation, where ``{code}`` in a translation becomes the language."""
    for code in languages:
        catalog = Catalog(locale=code)
        for msgid, text in messages.items():
            catalog.add(msgid, text.replace("{code}", code))
        where = folder / code / "LC_MESSAGES"
        where.mkdir(parents=True)
        with (where / "contractor.po").open("wb") as handle:
            write_po(handle, catalog)
        with (where / "contractor.mo").open("wb") as handle:
            write_mo(handle, catalog)
    return folder


@contextmanager
def translated_app(app, folder: Path, messages: dict[str, str]):
    """Flask-Babel caches translations per language for the whole process, whichever app loaded
    them: the cache is emptied on the way in and out, so neither app sees the other's catalogs."""
    languages = [code for code in app.config["LANGUAGES"] if code != "en"]
    write_catalogs(folder, languages, messages)
    config = test_config(
        app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        BABEL_TRANSLATION_DIRECTORIES=str(folder),
    )
    babel.domain_instance.cache.clear()
    try:
        translated = create_app(config)
        translated.test_client_class = CsrfClient  # CSRF is on here too, as everywhere
        yield translated
    finally:
        babel.domain_instance.cache.clear()
