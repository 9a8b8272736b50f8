"""Before a batch is approved: does every recipient get text their own law allows?

For each group of recipients sharing a language and a place, take the variant the freeze would
give them (portal/legal/variants.py) and hold it to the rules of every jurisdiction covering
that place (portal/data/jurisdictions.yaml). A batch on a template version without a
Massachusetts variant would give Massachusetts residents the default text, whose "What happened"
section that state forbids: approval is blocked, with counts per jurisdiction and language and
what is missing, until the version has a compliant variant in that language.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from portal.batches.audience import (
    audience_query,
)
from portal.dao.audience import recipient_language
from portal.dao.batches import dao_count_recipients_by_place, dao_get_template_contents
from portal.dao.exposures import dao_get_incident_categories
from portal.legal.jurisdictions import load_rules
from portal.legal.variants import check_variant, variant_in_language
from portal.models import Batch, Person


@dataclass
class ComplianceGap:
    jurisdiction: str  # the rules' code: US-MA, EU, BR
    name: str
    language: str
    variant: str  # the variant these recipients would get ('' = the default text)
    recipients: int
    problems: list[str]


def batch_compliance_gaps(batch: Batch) -> list[ComplianceGap]:
    """Every (jurisdiction, language) whose recipients would get text their law does not allow."""
    contents = dao_get_template_contents(batch.template_version_id)
    if not contents:
        return []
    language = recipient_language(sorted({c.language for c in contents}))
    recipients = audience_query(batch, language.label("language"), Person.country, Person.region)
    rules = load_rules()
    categories = dao_get_incident_categories(batch.incident_id)
    gaps: dict[tuple[str, str], ComplianceGap] = {}
    for lang, country, region, count in dao_count_recipients_by_place(recipients):
        covering = rules.for_place(country, region)
        if not covering:
            continue
        place = SimpleNamespace(country=country, region=region)
        variant = variant_in_language(contents, place, lang)
        for jurisdiction in covering:
            if variant is None:
                problems = [f"There is no text in language {lang!r} at all."]
            else:
                problems = check_variant(jurisdiction.code, variant.subject, variant.body_markdown, categories, rules)
            if not problems:
                continue
            key = (jurisdiction.code, lang)
            gap = gaps.setdefault(
                key,
                ComplianceGap(
                    jurisdiction.code, jurisdiction.name, lang, variant.jurisdiction if variant else "", 0, []
                ),
            )
            gap.recipients += count
            gap.problems.extend(p for p in problems if p not in gap.problems)
    return sorted(gaps.values(), key=lambda g: (g.jurisdiction, g.language))
