"""Locale choice and the taxonomy extractor for Babel.

Order of preference: the language the person picked with the selector, then the contractor's
preferred language from the register, then the browser's, then English.
"""

from pathlib import Path

import yaml
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

SESSION_KEY = "lang"


def _languages_with_catalogs(app: Flask) -> list[str]:
    folder = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    have = {path.parent.parent.name for path in folder.glob("*/LC_MESSAGES/messages.po")}
    return [code for code in app.config["LANGUAGES"] if code == "en" or code in have]


def available_languages() -> list[str]:
    """English plus every language with a catalog; the selector never offers an empty one."""
    return current_app.extensions["portal_languages"]


def best_language(tag: str | None) -> str | None:
    """Map a BCP 47 tag like ``pt-BR`` or ``fil-PH`` onto a language we offer."""
    if not tag:
        return None
    offered = available_languages()
    base = tag.replace("_", "-").split("-")[0].lower()
    return base if base in offered else None


def select_locale() -> str:
    if not has_request_context():  # a CLI command or a worker: mail to a person uses force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (session.get(SESSION_KEY), session.get("contractor_lang")):
        chosen = best_language(candidate)
        if chosen:
            return chosen
    return request.accept_languages.best_match(available_languages()) or "en"


LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "hi": "हिन्दी",
    "fil": "Filipino",
    "sw": "Kiswahili",
}


def init_app(app: Flask) -> None:
    # Catalogs do not change while the app runs: look once, not on every request.
    app.extensions["portal_languages"] = _languages_with_catalogs(app)

    @app.context_processor
    def language_context():
        return {
            "current_language": str(get_locale()),
            "language_choices": [(code, LANGUAGE_NAMES[code]) for code in available_languages()],
            **bound_gettext(get_translations()),
        }


def bound_gettext(translations) -> dict:
    """``_``, ``gettext`` and ``ngettext`` for one template render, bound to its catalog.

    Flask-Babel's own template callables look the catalog up through the request context on every
    call (a hundred calls on the exposure page, a fifth of its time); this looks it up once per
    render. The render's context wins over the environment's globals, so every template and macro
    that shares it uses these; macros imported without context keep Flask-Babel's, which give the
    same text. Same rules as Jinja's newstyle gettext: always %-formatted, Markup when autoescaping.
    """

    @pass_context
    def gettext(context, string, /, **variables):  # positional-only: `num=`, `string=` are variables
        text = translations.ugettext(string)
        # Catalog text is ours, as in Jinja's own; the variables are escaped by the % of Markup.
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    @pass_context
    def ngettext(context, singular, plural, count, /, **variables):
        variables.setdefault("num", count)
        text = translations.ungettext(singular, plural, count)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def extract_taxonomy(fileobj, keywords, comment_tags, options):
    """Babel extractor: every human string in the taxonomy YAML becomes a msgid."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for entry in data["categories"]:
        yield 0, "gettext", entry["title"], []
        yield 0, "gettext", entry["means"], []
        for step in entry["steps"]:
            yield 0, "gettext", step["text"], []
