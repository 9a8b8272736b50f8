"""Locale choice, the two catalog domains, and the taxonomy extractor for Babel.

Order of preference: the language the person picked with the selector, then the contractor's
preferred language from the register, then the browser's, then English.

Two gettext domains share one folder: ``contractor`` (every page, form and email a contractor
sees; complete in every language offered) and ``messages`` (the staff area, English). Flask-Babel
loads both for a locale and merges them, so one ``gettext`` finds a message in either.
"""

from pathlib import Path

import yaml
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

SESSION_KEY = "lang"
DOMAINS = ("messages", "contractor")
CONTRACTOR_DOMAIN = "contractor"
# Development only: accented, lengthened English (scripts/pseudo_catalog.py). Babel knows no
# pseudo-locale, so its catalog sits under a CLDR locale the portal offers no one.
PSEUDO = "en-x-pseudo"
PSEUDO_BABEL_LOCALE = "en_001"

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "hi": "हिन्दी",
    "fil": "Filipino",
    "sw": "Kiswahili",
    PSEUDO: "Ƥŝéûđö",
}


def translations_folder(app: Flask) -> Path:
    return Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])


def configure_domains(app: Flask) -> None:
    """Before Flask-Babel reads the config: one translation directory per domain (the same one)."""
    folder = str(translations_folder(app))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(folder for _ in DOMAINS)
    app.config["BABEL_DOMAIN"] = ";".join(DOMAINS)


def _languages_with_catalogs(app: Flask) -> list[str]:
    folder = translations_folder(app)
    have = {path.parent.parent.name for path in folder.glob(f"*/LC_MESSAGES/{CONTRACTOR_DOMAIN}.mo")}
    offered = [code for code in app.config["LANGUAGES"] if code == "en" or code in have]
    if app.config.get("OFFER_PSEUDO_LOCALE") and PSEUDO_BABEL_LOCALE in have:
        offered.append(PSEUDO)
    return offered


def available_languages() -> list[str]:
    """English plus every language with a catalog; the selector never offers an empty one."""
    return current_app.extensions["portal_languages"]


def best_language(tag: str | None) -> str | None:
    """Map a BCP 47 tag like ``pt-BR`` or ``fil-PH`` onto a language we offer."""
    if not tag:
        return None
    offered = available_languages()
    if tag.lower() == PSEUDO:
        return PSEUDO if PSEUDO in offered else None
    base = tag.replace("_", "-").split("-")[0].lower()
    return base if base in offered else None


def babel_locale(language: str) -> str:
    """The Babel locale that holds a portal language's catalog (the same code but for the pseudo one)."""
    return PSEUDO_BABEL_LOCALE if language == PSEUDO else language


def current_language() -> str:
    """The portal's code for the locale in force (``<html lang>``, the selector, the mail's language)."""
    locale = str(get_locale())
    return PSEUDO if locale == PSEUDO_BABEL_LOCALE else locale.replace("_", "-")


def select_locale() -> str:
    if not has_request_context():  # a CLI command or a worker: mail to a person uses force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (session.get(SESSION_KEY), session.get("contractor_lang")):
        chosen = best_language(candidate)
        if chosen:
            return babel_locale(chosen)
    real = [code for code in available_languages() if code != PSEUDO]  # never picked for a browser
    return request.accept_languages.best_match(real) or "en"


def country_name(code: str) -> str:
    """A country's name in the page's language (Babel's CLDR data), or the code if it has none."""
    locale = get_locale()
    return (locale.territories.get(code.upper()) if locale else None) or code


def init_app(app: Flask) -> None:
    # Catalogs do not change while the app runs: look once, not on every request.
    app.extensions["portal_languages"] = _languages_with_catalogs(app)

    @app.template_filter("language_name")
    def language_name(code: str | None) -> str:
        """``es`` -> ``Español (es)``: the name in the language itself, for staff who read neither."""
        name = LANGUAGE_NAMES.get((code or "").split("-")[0].lower())
        return f"{name} ({code})" if name else (code or "")

    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
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

    They take the evaluation context (all they need: whether to autoescape), not the whole
    context: Jinja gives a context-taking function called inside a loop a fresh copy of the
    context with the loop's variables (about a hundred copies on the exposure page).
    """

    # Positional-only, as in Jinja's own: a template may pass ``num=`` (a formatted count) itself.
    @pass_eval_context
    def gettext(eval_ctx, string, /, **variables):
        text = translations.ugettext(string)
        # Catalog text is ours, as in Jinja's own; the variables are escaped by the % of Markup.
        return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def extract_taxonomy(fileobj, keywords, comment_tags, options):
    """Babel extractor: every human string in the taxonomy YAML becomes a msgid."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for entry in data["categories"]:
        yield 0, "gettext", entry["title"], []
        yield 0, "gettext", entry["means"], []
        for step in entry["steps"]:
            yield 0, "gettext", step["text"], []
