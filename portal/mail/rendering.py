"""Notice templates: ``((placeholder))`` Markdown rendered to a subject, plain text and safe HTML.

A template is compiled once into a skeleton in which each placeholder is an opaque token; the
Markdown is converted and sanitised with the tokens in place, and only then are the values put in
(HTML-escaped for the HTML part). So a person's name can never inject markup, and a batch of a
million notices costs one Markdown conversion per template content, not one per person. The same
skeleton becomes SendGrid's per-personalization ``substitutions`` (see ``portal.mail.sendgrid``).
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, gettext
from markupsafe import escape

from portal.core.taxonomy import load_taxonomy
from portal.mail.headers import one_line
from portal.mail.link_targets import link_target_problems
from portal.mail.national_ids import national_id_name
from portal.mail.placeholders import (
    NAME_RE,
    ORDERED_NAMES,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    TOKEN_RE,
    markdown_to_html,
    markdown_to_text,
    tokenize,
)

# The "Notice of Data Breach" a new template starts from, one file per language: subject line,
# blank line, Markdown body (portal/data/notices/<language>.md; docs/translations.md).
STARTER_FOLDER = Path(__file__).resolve().parent.parent / "data" / "notices"
_STARTER_HEADING_RE = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=16)
def starter_notice(language: str = "en") -> tuple[str, str]:
    """(subject, body) of the starter notice in ``language``, English if there is none in it."""
    path = STARTER_FOLDER / f"{language}.md"
    if not path.exists():
        path = STARTER_FOLDER / "en.md"
    subject, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    return subject.strip(), body.lstrip("\n")


def starter_languages() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in STARTER_FOLDER.glob("*.md")))


def notice_headings(language: str = "en") -> tuple[str, ...]:
    """The five section headings, in ``language`` (from its starter notice)."""
    return tuple(_STARTER_HEADING_RE.findall(starter_notice(language)[1]))


NOTICE_HEADINGS = notice_headings("en")


class TemplateError(ValueError):
    """A template that cannot be saved; ``problems`` are sentences for the admin."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _template_problems(text: str, where: str) -> list[str]:
    problems = []
    for match in PLACEHOLDER_RE.finditer(text):
        name = match.group(1).strip()
        if not name:
            problems.append(f"The {where} has an empty placeholder (( )).")
        elif not NAME_RE.fullmatch(name):
            problems.append(
                f"The {where} has a malformed placeholder (({match.group(1)})): "
                "use lower-case letters, digits and underscores."
            )
        elif name not in PLACEHOLDERS:
            problems.append(f"The {where} uses an unknown placeholder (({name})).")
    leftover = PLACEHOLDER_RE.sub("", text)
    if "((" in leftover:
        problems.append(f"The {where} opens a placeholder with (( but never closes it with )).")
    return problems


def validate_template(subject: str, body_markdown: str) -> None:
    """Raise TemplateError naming every unknown or malformed placeholder."""
    problems = _template_problems(subject, "subject") + _template_problems(body_markdown, "body")
    if "\n" in subject or "\r" in subject:
        problems.append("The subject must be a single line.")
    if not problems:  # the link check renders the body, which needs every placeholder known
        problems = link_target_problems(body_markdown)
    if problems:
        raise TemplateError(problems)


def starter_body(language: str = "en") -> str:
    """The "Notice of Data Breach" skeleton a new template starts from."""
    return starter_notice(language)[1]


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class CompiledNotice:
    """A template content with every placeholder replaced by a token (see ``fill_*``)."""

    subject: str
    text: str
    html: str
    names: tuple[str, ...]  # the placeholders it uses


@lru_cache(maxsize=256)
def compile_notice(subject: str, body_markdown: str) -> CompiledNotice:
    validate_template(subject, body_markdown)
    names = {m.group(1).strip() for m in PLACEHOLDER_RE.finditer(subject + "\n" + body_markdown)}
    return CompiledNotice(
        subject=tokenize(subject, link_urls=False),
        text=markdown_to_text(tokenize(body_markdown, link_urls=False)),
        html=markdown_to_html(tokenize(body_markdown, link_urls=True)),
        names=tuple(name for name in ORDERED_NAMES if name in names),
    )


def html_value(value: str) -> str:
    """A plain value as it goes into the HTML part: escaped (quotes too), line breaks kept."""
    escaped = html.escape(value, quote=True)
    return escaped.replace("\n", "<br>\n") if "\n" in escaped else escaped


def fill_tokens(skeleton: str, values_by_name: dict[str, str]) -> str:
    return TOKEN_RE.sub(lambda m: values_by_name.get(ORDERED_NAMES[int(m.group(1))], ""), skeleton)


def render_notice(content, values: dict[str, str]) -> RenderedNotice:
    """``content`` is a NoticeTemplateContent (anything with ``subject`` and ``body_markdown``)."""
    compiled = compile_notice(content.subject, content.body_markdown)
    html_values = {name: html_value(values.get(name, "")) for name in compiled.names}
    return RenderedNotice(
        subject=" ".join(fill_tokens(compiled.subject, values).split()),
        text=fill_tokens(compiled.text, values),
        html=fill_tokens(compiled.html, html_values),
    )


def email_html_document(fragment: str, language: str) -> str:
    """The HTML part as mailed: a minimal document around the sanitised fragment."""
    lang = str(escape(language or "en"))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: Arial, sans-serif; line-height: 1.5">\n{fragment}\n</body></html>\n'
    )


# -- values ---------------------------------------------------------------------------------------


def check_url() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/check"


def _format_date(value, language: str) -> str:
    if value is None:
        return ""
    try:
        return format_date(value, format="long", locale=language.replace("-", "_"))
    except (ValueError, LookupError):
        return format_date(value, format="long", locale="en")


def category_titles(codes, language: str) -> list[str]:
    """Taxonomy titles in ``language``, worst severity first."""
    return titles_in_order(codes, category_title_lookup(language))


def incident_values(incident, language: str) -> dict[str, str]:
    """The values every recipient of one incident's notice in one language shares."""
    # Here, not at the top: portal.trust's pages import the letter files, which import this module.
    from portal.trust.organisation import organisation_values

    return {
        "check_url": check_url(),
        "portal_url": current_app.config["PUBLIC_URL"].rstrip("/"),
        "incident_title": incident.title,
        "contact_email": incident.contact_email or "",
        "contact_phone": incident.contact_phone or "",
        "claim_deadline": _format_date(incident.claim_deadline, language),
        "enrollment_deadline": _format_date(incident.enrollment_deadline, language),
        **organisation_values(),
    }


def person_values(
    first_name: str, last_name: str, titles: list[str], notice_code: str, national_id: str = ""
) -> dict[str, str]:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "notice_code": notice_code,
        "exposed_categories": "\n".join(f"• {title}" for title in titles),
        "national_id_name": national_id,
    }


def notice_values(person, incident, notice_code: str, language: str) -> dict[str, str]:
    """Plain (unescaped) values for one person's notice about one incident."""
    codes = [exposure.category for exposure in person.exposures if exposure.incident_id == incident.id]
    with force_locale(language or "en"):
        national_id = national_id_name(person.country)
    titles = category_titles(codes, language)
    return {
        **incident_values(incident, language),
        **person_values(person.first_name, person.last_name, titles, notice_code, national_id),
    }


# -- one skeleton per request, one small substitution map per person -----------------------------

# The values that differ between recipients; the rest are the same for a whole request.
PERSON_PLACEHOLDERS = ("first_name", "last_name", "notice_code", "exposed_categories", "national_id_name")


def substitution_tag(name: str, html: bool) -> str:
    """SendGrid substitution tag: plain value in subject and text, escaped value in the HTML part."""
    return f"-{name}_html-" if html else f"-{name}-"


@dataclass(frozen=True)
class NoticeSkeleton:
    """A notice with the shared values filled in and a substitution tag for each personal one."""

    subject: str
    text: str
    html: str  # the sanitised fragment; the mailed document wraps it (email_html_document)
    personal: tuple[str, ...]  # the personal placeholders it uses


@lru_cache(maxsize=256)
def _skeleton(subject: str, body_markdown: str, shared_items: tuple[tuple[str, str], ...]) -> NoticeSkeleton:
    compiled = compile_notice(subject, body_markdown)
    shared = dict(shared_items)
    text_values = {name: substitution_tag(name, html=False) for name in PERSON_PLACEHOLDERS}
    html_values = {name: substitution_tag(name, html=True) for name in PERSON_PLACEHOLDERS}
    for name, value in shared.items():
        text_values[name] = value
        html_values[name] = html_value(value)
    return NoticeSkeleton(
        subject=" ".join(fill_tokens(compiled.subject, text_values).split()),
        text=fill_tokens(compiled.text, text_values),
        html=fill_tokens(compiled.html, html_values),
        personal=tuple(name for name in compiled.names if name in PERSON_PLACEHOLDERS),
    )


def notice_skeleton(content, shared_values: dict[str, str]) -> NoticeSkeleton:
    shared = tuple(sorted((k, v) for k, v in shared_values.items() if k not in PERSON_PLACEHOLDERS))
    return _skeleton(content.subject, content.body_markdown, shared)


_TEXT_TAGS = {name: substitution_tag(name, html=False) for name in PERSON_PLACEHOLDERS}
_HTML_TAGS = {name: substitution_tag(name, html=True) for name in PERSON_PLACEHOLDERS}
_TAG_RE = re.compile("|".join(re.escape(substitution_tag(n, h)) for n in PERSON_PLACEHOLDERS for h in (True, False)))


def apply_substitutions(text: str, substitutions: dict[str, str]) -> str:
    """What SendGrid does with a personalization's substitutions (one pass, never recursive)."""
    return _TAG_RE.sub(lambda m: substitutions.get(m.group(0), ""), text)


def category_title_lookup(language: str) -> dict[str, tuple[int, str]]:
    """Every category code -> (severity rank, title in ``language``), for ordering many people's lists."""
    with force_locale(language or "en"):
        return {code: (category.rank, gettext(category.title)) for code, category in load_taxonomy().items()}


def titles_in_order(codes, lookup: dict[str, tuple[int, str]]) -> list[str]:
    known = sorted((lookup[code][0], code) for code in set(codes) if code in lookup)
    return [lookup[code][1] for _, code in known]


class SubstitutionBuilder:
    """Builds each recipient's substitutions for one request, as fast as a million of them needs.

    Same values as ``person_values`` + ``person_substitutions``, but the category list (text and
    HTML) is rendered once per distinct set of categories, and the notice code, which is Crockford
    base32 and dashes only, needs no escaping.
    """

    def __init__(self, personal: tuple[str, ...], language: str, titles: dict[str, tuple[int, str]] | None = None):
        """``titles``: ``category_title_lookup(language)``, if the caller has it (a posting process
        has no translations to look it up in)."""
        self._keys = [tag for name in personal for tag in (_TEXT_TAGS[name], _HTML_TAGS[name])]
        self._all = len(self._keys) == 2 * len(PERSON_PLACEHOLDERS)
        self._titles = titles if titles is not None else category_title_lookup(language)
        self._categories: dict[str, tuple[str, str]] = {}

    def _category_values(self, joined: str) -> tuple[str, str]:
        cached = self._categories.get(joined)
        if cached is None:
            codes = tuple(sorted(filter(None, joined.split(","))))
            text = person_values("", "", titles_in_order(codes, self._titles), "")["exposed_categories"]
            cached = self._categories[joined] = (text, html_value(text))
        return cached

    def build(
        self, first_name: str, last_name: str, notice_code: str, categories: str, national_id: str = ""
    ) -> dict[str, str]:
        """``categories``: the person's category codes joined by commas, in any order (the database's
        aggregate, used as it comes as the cache key). ``national_id``: ``national_id_name`` for the
        person's country, in the notice's language."""
        categories_text, categories_html = self._category_values(categories)
        first_name, last_name = one_line(first_name), one_line(last_name)  # either may land in the subject
        every = {
            "-first_name-": first_name,
            "-first_name_html-": html.escape(first_name),
            "-last_name-": last_name,
            "-last_name_html-": html.escape(last_name),
            "-notice_code-": notice_code,
            "-notice_code_html-": notice_code,
            "-exposed_categories-": categories_text,
            "-exposed_categories_html-": categories_html,
            "-national_id_name-": national_id,
            "-national_id_name_html-": html.escape(national_id),
        }
        return every if self._all else {key: every[key] for key in self._keys}
