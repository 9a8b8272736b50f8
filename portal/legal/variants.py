"""Jurisdiction-aware notices: checking a template variant against the rules, choosing one per person.

A template version holds one content per (language, jurisdiction); jurisdiction '' is the default.
``check_variant`` is called when a content with a jurisdiction is saved (portal/notices/service.py);
``choose_variant`` when a batch is frozen or previewed (portal/batches/). Both are pure functions
of their arguments and the rules file, so the freeze, the preview and the tests agree.
"""

from collections.abc import Iterable

from portal.legal.jurisdictions import Rules, load_rules
from portal.models import NoticeTemplateContent, Person

DEFAULT_LANGUAGE = "en"


def check_variant(jurisdiction: str, subject: str, body: str, categories: Iterable[str] | None = None,
                  rules: Rules | None = None) -> list[str]:
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
        for rule in rule_set.required_content if rule.applies(present) and not rule.matches(text)
    ]
    problems += [
        f"A notice for {rule_set.name} must not include {rule.description} ({rule.fact.source})."
        for rule in rule_set.forbidden_content if rule.applies(present) and rule.matches(text)
    ]
    return problems


def _base_language(code: str) -> str:
    return (code or "").lower().replace("_", "-").split("-")[0]


def variant_key_for(person: Person, contents: Iterable[NoticeTemplateContent]) -> tuple[str, str]:
    """(language, jurisdiction) of the content a person gets; see ``choose_variant``."""
    chosen = choose_variant(list(contents), person)
    return chosen.language, chosen.jurisdiction


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
    mine = {c.jurisdiction.upper(): c for c in contents if c.language == language}
    region, country = (person.region or "").upper(), (person.country or "").upper()
    for key in (region, country):
        if key and key in mine:
            return mine[key]
    rules = load_rules()
    for code, content in mine.items():
        group = rules.get(code) if code else None
        if group is not None and not group.by_region and group.covers(country, region):
            return content
    if "" in mine:
        return mine[""]
    raise ValueError(f"the template has no default ('') content in language {language!r}")
