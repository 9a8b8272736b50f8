"""Notice templates: placeholders validated at save time, values escaped, starter structure."""

from datetime import date
from types import SimpleNamespace

import pytest

from portal.mail.rendering import (
    NOTICE_HEADINGS,
    PLACEHOLDERS,
    RenderedNotice,
    TemplateError,
    notice_values,
    render_notice,
    starter_body,
    validate_template,
)
from tests.factories import expose, make_incident, make_person


def content(subject="Notice for ((first_name))", body="Hello ((first_name))"):
    return SimpleNamespace(subject=subject, body_markdown=body)


def test_the_starter_body_has_the_five_headings_and_only_known_placeholders():
    body = starter_body()
    for heading in NOTICE_HEADINGS:
        assert f"## {heading}" in body
    validate_template("Notice of Data Breach", body)
    assert "((notice_code))" in body and "((exposed_categories))" in body
    assert "type the portal address" in body and "full ((national_id_name))" in body
    assert "Social Security" not in body  # only people in the US have one


def test_an_unknown_placeholder_is_named_in_the_error():
    with pytest.raises(TemplateError) as caught:
        validate_template("Hi ((firstname))", "Code ((notice_code)) and ((ssn))")
    assert any("((firstname))" in p for p in caught.value.problems)
    assert any("((ssn))" in p for p in caught.value.problems)
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize("body", ["Hello (( ))", "Hello ((first name))", "Hello ((first_name)", "((a-b))"])
def test_malformed_placeholders_are_errors(body):
    with pytest.raises(TemplateError):
        validate_template("Subject", body)


def test_a_placeholder_inside_parentheses_is_fine():
    validate_template("Subject", "Type the address (((portal_url))) yourself. (See (this).)")


def test_every_placeholder_is_documented():
    assert {
        "first_name",
        "last_name",
        "notice_code",
        "exposed_categories",
        "check_url",
        "incident_title",
        "contact_email",
        "contact_phone",
        "claim_deadline",
    } <= set(PLACEHOLDERS)


def test_values_are_escaped_in_html_and_plain_in_text():
    rendered = render_notice(
        content(body="## What happened\n\nDear ((first_name)),\n\nCode: **((notice_code))**"),
        {"first_name": "<script>alert(1)</script> O'Brien & co", "notice_code": "ABCD-EFGH-JKMN"},
    )
    assert isinstance(rendered, RenderedNotice)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; co" in rendered.html
    assert "<h2>What happened</h2>" in rendered.html
    assert "<strong>ABCD-EFGH-JKMN</strong>" in rendered.html
    assert "Dear <script>alert(1)</script> O'Brien & co," in rendered.text
    assert "Code: ABCD-EFGH-JKMN" in rendered.text
    assert rendered.subject == "Notice for <script>alert(1)</script> O'Brien & co"


def test_raw_html_in_the_template_is_removed():
    rendered = render_notice(content(body='Hi <img src=x onerror="alert(1)"> <a href="javascript:x()">y</a>'), {})
    assert "onerror" not in rendered.html and "javascript:" not in rendered.html


def test_url_placeholders_become_links_in_html():
    rendered = render_notice(
        content(body="Go to ((check_url)) or [the portal](((portal_url)))."),
        {"check_url": "https://p.example/check?a=1&b=2", "portal_url": "https://p.example"},
    )
    assert '<a href="https://p.example/check?a=1&amp;b=2">https://p.example/check?a=1&amp;b=2</a>' in rendered.html
    assert '<a href="https://p.example">the portal</a>' in rendered.html
    assert "Go to https://p.example/check?a=1&b=2 or the portal (https://p.example)." in rendered.text


def test_multi_line_values_keep_their_lines():
    rendered = render_notice(
        content(body="Involved:\n\n((exposed_categories))"), {"exposed_categories": "• A\n• B <b>"}
    )
    assert "• A<br>\n• B &lt;b&gt;" in rendered.html
    assert "• A\n• B <b>" in rendered.text


def test_notice_values_list_the_persons_exposed_categories_worst_first(app_ctx):
    incident = make_incident(claim_deadline=date(2027, 3, 31), contact_phone="+1 555 0100")
    other = make_incident(slug="other")
    person = make_person(first_name="Ana", last_name="Silva")
    expose(person, incident, "address")
    expose(person, incident, "national_id")
    expose(person, other, "payment")
    values = notice_values(person, incident, "ABCD-EFGH-JKMN", "en")
    assert values["first_name"] == "Ana" and values["last_name"] == "Silva"
    assert values["notice_code"] == "ABCD-EFGH-JKMN"
    assert values["exposed_categories"].splitlines() == ["• National identity or tax number", "• Home address"]
    assert values["check_url"].endswith("/check")
    assert values["claim_deadline"] == "March 31, 2027"
    assert values["contact_phone"] == "+1 555 0100"
    assert values["incident_title"] == incident.title


@pytest.mark.parametrize(
    ("country", "wording"),
    [
        ("US", "Social Security number or ITIN"),
        ("IN", "PAN or Aadhaar number"),
        ("KE", "KRA PIN or national ID number"),
        ("BR", "CPF number"),
        ("AR", "national identity or tax number"),  # a country with no wording of its own
    ],
)
def test_the_starter_notice_names_the_national_id_as_it_is_called_where_the_person_lives(app_ctx, country, wording):
    incident = make_incident()
    person = make_person(country=country)
    expose(person, incident, "national_id")
    rendered = render_notice(content(body=starter_body()), notice_values(person, incident, "ABCD-EFGH-JKMN", "en"))
    assert f"We will never ask you for your\nfull {wording} or your payment details" in rendered.text
    assert ("Social Security" in rendered.text) == (country == "US")


def test_claim_deadline_is_written_in_the_notice_language(app_ctx):
    incident = make_incident(claim_deadline=date(2027, 3, 31))
    person = make_person()
    assert "março" in notice_values(person, incident, "X", "pt")["claim_deadline"]


@pytest.mark.parametrize(
    "link",
    [
        "[Verify](((first_name)))",
        "[Verify](https://((last_name)).example/verify)",
        "[Verify][v]\n\n[v]: ((exposed_categories))",
        '<a href="((contact_email))">write</a>',
        "[Write to us](mailto:((contact_email)))",
    ],
)
def test_a_personal_placeholder_in_a_link_address_is_refused(link):
    """The register's values, not the admin, would choose where every notice's link goes."""
    with pytest.raises(TemplateError) as caught:
        validate_template("Notice", starter_body() + "\n" + link + "\n")
    assert any("A link's address can only be the portal's own" in p for p in caught.value.problems), caught.value


@pytest.mark.parametrize(
    "link",
    [
        "[Check your notice](((check_url)))",
        "Go to ((portal_url)) yourself.",
        "[Our help page](https://help.example.org/breach) and ((first_name)) in the text",
    ],
)
def test_the_portals_own_addresses_and_typed_addresses_may_be_linked(link):
    validate_template("Notice", starter_body() + "\n" + link + "\n")
