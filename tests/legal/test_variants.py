import pytest

from portal.legal.variants import check_variant, choose_variant
from portal.mail.rendering import starter_body
from portal.models import NoticeTemplateContent, Person

MA_BODY = """Dear ((first_name)),

## What information was involved

((exposed_categories))

## What you can do

You have the right to obtain a police report. You can place a security freeze on your credit report
free of charge: there is no fee to place, lift or remove one.

## For more information

Write to ((contact_email)).
"""


def content(language="en", jurisdiction="", subject="Notice") -> NoticeTemplateContent:
    return NoticeTemplateContent(
        language=language,
        jurisdiction=jurisdiction,
        subject=subject,
        body_markdown=f"{language}/{jurisdiction or 'default'}",
    )


def person(country="US", region="", language="en") -> Person:
    return Person(country=country, region=region, preferred_language=language)


CONTENTS = [
    content(),
    content(jurisdiction="US-MA"),
    content(jurisdiction="US-CA"),
    content(jurisdiction="BR"),
    content(jurisdiction="EU"),
    content("es"),
    content("es", "US-CA"),
    content("pt", "BR"),
]


@pytest.mark.parametrize(
    "recipient, expected",
    [
        (person("US", "US-MA"), ("en", "US-MA")),
        (person("US", "US-CA", "es-US"), ("es", "US-CA")),
        (person("US", "US-TX", "es"), ("es", "")),  # no Texas variant: the default in their language
        (person("US", "US-NY"), ("en", "")),
        (person("BR", "BR-SP", "pt-BR"), ("pt", "BR")),
        (person("BR", "", "fr"), ("en", "BR")),  # no French: English, still the Brazilian variant
        (person("DE", "", "de"), ("en", "EU")),  # a group variant covers every member state
        (person("KE", "", "sw"), ("en", "")),
    ],
)
def test_each_recipient_gets_their_region_then_country_then_default_variant(app_ctx, recipient, expected):
    chosen = choose_variant(CONTENTS, recipient)
    assert (chosen.language, chosen.jurisdiction) == expected


def test_a_massachusetts_variant_describing_the_breach_or_counting_residents_is_refused(app_ctx):
    assert check_variant("US-MA", "Notice", MA_BODY) == []
    problems = check_variant("US-MA", "Notice", "## What happened\n\nHackers broke into the vendor.\n\n" + MA_BODY)
    assert len(problems) == 1 and "must not include The nature of the breach" in problems[0]
    problems = check_variant("US-MA", "Notice", MA_BODY + "\nThis affected 1,204 Massachusetts residents.\n")
    assert len(problems) == 1 and "number of Massachusetts residents" in problems[0]
    assert "ch. 93H § 3(b)" in problems[0]


def test_a_massachusetts_variant_missing_the_police_report_and_freeze_is_refused(app_ctx):
    problems = check_variant("US-MA", "Notice", "## What you can do\n\nCall us.")
    assert any("police report" in p for p in problems) and any("security (credit) freeze" in p for p in problems)


def test_california_needs_the_five_headings_and_bureau_contacts_only_when_ids_were_exposed(app_ctx):
    body = "# Notice of Data Breach\n\n" + starter_body().replace("## What happened", "## What Happened")
    assert check_variant("US-CA", "Notice", body, categories={"task_records"}) == []
    problems = check_variant("US-CA", "Notice", body, categories={"national_id"})
    assert problems == [p for p in problems if "Equifax" in p] and len(problems) == 1
    with_bureaus = body + "\nEquifax 1-800-685-1111, Experian 1-888-397-3742, TransUnion 1-888-909-8872\n"
    assert check_variant("US-CA", "Notice", with_bureaus, categories={"national_id"}) == []
    missing = check_variant("US-CA", "Notice", body.replace("## What we are doing", "## Our steps"), categories=set())
    assert len(missing) == 1 and '"What We Are Doing"' in missing[0]


def test_the_default_variant_is_not_checked_and_an_unknown_jurisdiction_is(app_ctx):
    assert check_variant("", "s", "anything") == []
    assert "no rules for jurisdiction 'US-ZZ'" in check_variant("US-ZZ", "s", "b")[0]


def test_the_freeze_sql_picks_the_same_variant_as_choose_variant(app_ctx):
    from sqlalchemy import select

    from portal.dao.audience import recipient_language
    from portal.extensions import db
    from portal.legal.variants import recipient_jurisdiction
    from tests.factories import make_person

    places = [
        ("US", "US-MA", "en"),
        ("US", "US-CA", "es"),
        ("US", "US-TX", "es"),
        ("BR", "BR-SP", "pt-BR"),
        ("BR", "", "fr"),
        ("DE", "", "de"),
        ("NO", "", "en"),
        ("KE", "", "sw"),
        ("US", "", "en"),
    ]
    people = [make_person(f"C-{n}", country=c, region=r, language=lang) for n, (c, r, lang) in enumerate(places)]
    languages = sorted({c.language for c in CONTENTS})
    language = recipient_language(languages)
    keys = [(c.language, c.jurisdiction) for c in CONTENTS]
    rows = dict(db.session.execute(select(Person.id, recipient_jurisdiction(keys, language))).all())
    for recipient in people:
        assert rows[recipient.id] == choose_variant(CONTENTS, recipient).jurisdiction, recipient.contractor_id
