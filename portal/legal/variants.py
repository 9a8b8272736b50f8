"""Jurisdiction-aware notices: checking a template variant against the rules, choosing one per person.

A template version holds one content per (language, jurisdiction); jurisdiction '' is the default.
``check_variant`` is called when a content with a jurisdiction is saved (portal/notice_templates/service.py);
``choose_variant`` when a batch is frozen or previewed (portal/batches/). Both are pure functions
of their arguments and the rules file, so the freeze, the preview and the tests agree.
"""

from collections.abc import Iterable

from sqlalchemy import and_, case, literal
from sqlalchemy.sql import ColumnElement

from portal.legal.jurisdictions import Rules, load_rules
from portal.models import NoticeTemplateContent, Person

DEFAULT_LANGUAGE = "en"


def check_variant(
    jurisdiction: str, subject: str, body: str, categories: Iterable[str] | None = None, rules: Rules | None = None
) -> list[str]:
    """Why this variant must not be saved (empty list: it may).

    ``categories`` are those exposed in the incident; rules that apply only to some categories
    (California's credit-bureau contacts when a national id was exposed) are checked when they are
    among them, and always when ``categories`` is None, because a check that cannot tell must be strict.
    """
    if not jurisdiction:
        return []
    rules = rules or load_rules()
    rule_set = rules.get(jurisdiction)
    if rule_set is None:
        known = ", ".join(sorted(rules.jurisdictions))
        return [f"There are no rules for jurisdiction {jurisdiction!r}. Use one of: {known}."]
    text = f"{subject}\n{body}"
    present = set(categories) if categories is not None else None
    problems = [
        f"A notice for {rule_set.name} must include {rule.description} ({rule.fact.source})."
        for rule in rule_set.required_content
        if rule.applies(present) and not rule.matches(text)
    ]
    problems += [
        f"A notice for {rule_set.name} must not include {rule.description} ({rule.fact.source})."
        for rule in rule_set.forbidden_content
        if rule.applies(present) and rule.matches(text)
    ]
    return problems


def _base_language(code: str) -> str:
    return (code or "").lower().replace("_", "-").split("-")[0]


def _jurisdiction_in(codes: Iterable[str], person: Person, rules: Rules) -> str:
    """Of the variant codes written in one language, the one for this person ('' = the default)."""
    codes = {code.upper() for code in codes}
    region, country = (person.region or "").upper(), (person.country or "").upper()
    for key in (region, country):
        if key and key in codes:
            return key
    for code in sorted(codes):
        group = rules.get(code) if code else None
        if group is not None and not group.by_region and group.covers(country, region):
            return code
    return ""


def variant_in_language(
    contents: Iterable[NoticeTemplateContent], person: Person, language: str
) -> NoticeTemplateContent | None:
    """The person's variant among the contents written in ``language`` (None if that language has none)."""
    mine = {c.jurisdiction.upper(): c for c in contents if c.language == language}
    if not mine:
        return None
    chosen = mine.get(_jurisdiction_in(mine, person, load_rules()))
    return chosen or mine.get("")


def choose_variant(contents: list[NoticeTemplateContent], person: Person) -> NoticeTemplateContent:
    """The content this person gets: their language (else English), then the most specific jurisdiction.

    Within the language: the variant for the person's region (``US-MA``), else for their country
    (``BR``), else for a group that covers their country in the rules file (``EU``), else the
    default (''). A region variant never reaches someone in another region, so a Massachusetts
    letter (which must not describe the breach) is never sent to a Californian (whose letter must).
    """
    if not contents:
        raise ValueError("a template version with no contents")
    languages = {c.language for c in contents}
    wanted = _base_language(person.preferred_language)
    language = wanted if wanted in languages else DEFAULT_LANGUAGE
    if language not in languages:
        language = sorted(languages)[0]
    chosen = variant_in_language(contents, person, language)
    if chosen is None:
        raise ValueError(f"the template has no default ('') content in language {language!r}")
    return chosen


def recipient_jurisdiction(content_keys: Iterable[tuple[str, str]], language: ColumnElement) -> ColumnElement:
    """SQL for the variant's jurisdiction each recipient gets: the same choice as ``choose_variant``.

    ``content_keys`` are the version's (language, jurisdiction) pairs; ``language`` is the SQL for
    the language each recipient gets (portal/dao/audience.py ``recipient_language``). Used by
    the freeze, so a million recipients get their variant in the one INSERT … SELECT.
    """
    rules = load_rules()
    by_language: dict[str, set[str]] = {}
    for lang, code in content_keys:
        if code:
            by_language.setdefault(lang, set()).add(code.upper())
    regions, countries, groups = [], [], []
    for lang, codes in sorted(by_language.items()):
        for code in sorted(codes):
            rule = rules.get(code)
            if "-" in code:
                regions.append((and_(language == lang, Person.region == code), literal(code)))
            elif rule is not None and not rule.by_region and rule.countries != frozenset({code}):
                groups.append((and_(language == lang, Person.country.in_(sorted(rule.countries))), literal(code)))
            else:
                countries.append((and_(language == lang, Person.country == code), literal(code)))
    whens = regions + countries + groups  # most specific first, as in choose_variant
    return case(*whens, else_=literal("")) if whens else literal("")
