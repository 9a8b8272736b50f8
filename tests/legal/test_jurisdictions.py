from datetime import date

import pytest
import yaml

from portal.legal.jurisdictions import (
    RULES_PATH,
    Deadline,
    RulesFileError,
    add_business_days,
    load_rules,
    parse_rules,
)

REQUIRED = {
    "US-CA",
    "US-MA",
    "US-CT",
    "US-DE",
    "US-DC",
    "US-TX",
    "US-FL",
    "US-WA",
    "US-CO",
    "US-NY",
    "US-MD",
    "EU",
    "BR",
    "PH",
    "KE",
    "IN",
}


def raw_rules() -> dict:
    return yaml.safe_load(RULES_PATH.read_text())


def test_the_rules_file_covers_every_required_jurisdiction_and_every_fact_has_a_source():
    rules = load_rules()
    assert set(rules.jurisdictions) >= REQUIRED
    for j in rules.jurisdictions.values():
        facts = [
            j.notice_fact,
            *(a.fact for a in j.also_notify),
            *(r.fact for r in j.required_content),
            *(r.fact for r in j.forbidden_content),
            *([j.monitoring.fact] if j.monitoring else []),
        ]
        assert all(f.source for f in facts), j.code
    assert rules.get("US-MA").monitoring.months == 18 and rules.get("US-CT").monitoring.months == 24
    assert rules.get("US-DC").monitoring.months == 18
    assert rules.get("US-CA").also_notify[0].min_residents == 501
    assert rules.get("US-TX").also_notify[0].min_residents == 250
    assert rules.get("EU").also_notify[0].deadline.hours == 72
    assert rules.get("BR").notice_deadline.business_days == 3


def test_eu_membership_and_norway_is_not_read_as_false():
    rules = load_rules()
    assert [j.code for j in rules.for_place("FR", "FR-IDF")] == ["EU"]
    assert [j.code for j in rules.for_place("NO", "")] == ["EU"]
    assert [j.code for j in rules.for_place("US", "US-CA")] == ["US-CA"]
    assert rules.for_place("US", "US-OH") == [] and rules.for_place("NG", "") == []


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["jurisdictions"]["US-CA"]["notice_deadline"].pop("source"), "needs a `source`"),
        (lambda r: r["jurisdictions"]["US-CA"]["notice_deadline"].pop("verified"), "verified: true"),
        (lambda r: r["jurisdictions"]["US-CA"]["notice_deadline"].update(hours=5), "one unit"),
        (
            lambda r: r["jurisdictions"]["US-MA"]["forbidden_content"][0].update(any_of=["(unclosed"]),
            "does not compile",
        ),
        (lambda r: r["jurisdictions"]["US-TX"]["also_notify"][0].update(min_residents=0), "min_residents"),
        (lambda r: r["jurisdictions"]["EU"]["applies_to"].update(group="MARS"), "unknown group"),
        (lambda r: r["groups"]["EU"].append(False), "not text; quote it"),
    ],
)
def test_a_broken_rules_file_is_refused_naming_the_entry(change, message):
    document = raw_rules()
    change(document)
    with pytest.raises(RulesFileError, match=message):
        parse_rules(document)


def test_deadline_arithmetic_days_hours_and_business_days():
    discovered = date(2026, 10, 1)  # a Thursday
    assert Deadline(days=30).due_on(discovered) == date(2026, 10, 31)
    assert Deadline(hours=72).due_on(discovered) == date(2026, 10, 3)  # counted from the start of the day
    assert Deadline(business_days=3).due_on(discovered) == date(2026, 10, 6)  # Fri, (weekend), Mon, Tue
    assert Deadline(standard="without unreasonable delay").due_on(discovered) is None


def test_brazil_counts_three_business_days_skipping_weekends_and_national_holidays():
    brazil = load_rules().get("BR").notice_deadline
    assert brazil.due_on(date(2026, 10, 1)) == date(2026, 10, 6)
    # Friday 9 October: Monday 12 October is a national holiday (Nossa Senhora Aparecida).
    assert brazil.due_on(date(2026, 10, 9)) == date(2026, 10, 15)
    # Thursday 19 November: Friday 20 November (Consciência Negra) is a holiday too.
    assert brazil.due_on(date(2026, 11, 19)) == date(2026, 11, 25)
    assert add_business_days(date(2026, 10, 2), 1) == date(2026, 10, 5)
