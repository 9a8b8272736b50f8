import pytest

from portal.trust.constants import SenderKind, Verdict
from portal.trust.matching import check_sender, group_key
from portal.trust.organisation import HelpLine, OrganisationDetails, parse_help_lines

ORG = OrganisationDetails(
    legal_name="Example Org",
    portal_url="https://breach.example-org.test",
    sender_addresses=("notices@example-org.test",),
    sender_domains=("example-org.test",),
    help_lines=(HelpLine("KE", "+254 20 765 4321", "Mon-Fri"), HelpLine("", "+44 20 7946 0000", "")),
    postal_address="PO Box 1",
    claims_administrator="",
)


@pytest.mark.parametrize(
    "pasted",
    [
        "notices@example-org.test",
        "NOTICES@Example-Org.TEST",
        "Example Org <notices@example-org.test>",
        "  notices@example-org.test ",
    ],
)
def test_our_sender_address_is_ours_after_normalising(pasted):
    result = check_sender(pasted, ORG)
    assert (result.kind, result.verdict) == (SenderKind.EMAIL, Verdict.OFFICIAL)


@pytest.mark.parametrize(
    "pasted",
    [
        "https://breach.example-org.test/check",
        "breach.example-org.test",
        "HTTPS://BREACH.EXAMPLE-ORG.TEST",
        "https://example-org.test",
    ],
)
def test_our_links_are_ours(pasted):
    assert check_sender(pasted, ORG).verdict == Verdict.OFFICIAL


@pytest.mark.parametrize("pasted", ["+254 20 765 4321", "00254207654321", "+254-20-765-4321", "+44 (20) 7946 0000"])
def test_our_phone_numbers_are_ours_however_written(pasted):
    result = check_sender(pasted, ORG)
    assert (result.kind, result.verdict) == (SenderKind.PHONE, Verdict.OFFICIAL)


@pytest.mark.parametrize(
    "pasted, imitates",
    [
        ("notices@examp1e-org.test", "example-org.test"),  # one letter swapped: edit distance 1
        ("notices@exampleorg.test", "example-org.test"),  # hyphen dropped
        ("https://example-org.tset/claim", "example-org.test"),  # two letters transposed
        ("notices@ехample-org.test", "example-org.test"),  # Cyrillic ha and ie
        ("https://xn--xample-org-jsi.test", "example-org.test"),  # punycode of a Cyrillic ie
        ("https://breach.example-org.test.claims-now.example", "example-org.test"),  # ours as a part
        ("https://breach.example-org.test@evil.example/x", "example-org.test"),  # ours before the @
        ("+254 20 765 4322", "+254 20 765 4321"),  # one digit off our help desk
    ],
)
def test_look_alikes_are_called_imitations(pasted, imitates):
    result = check_sender(pasted, ORG)
    assert result.verdict == Verdict.IMITATION, result
    assert result.resembles == imitates


@pytest.mark.parametrize(
    "pasted", ["someone@gmail.com", "https://bit.ly/3xYz", "+1 555 0100 999", "payments@example-org.test"]
)
def test_others_are_not_ours(pasted):
    assert check_sender(pasted, ORG).verdict == Verdict.UNKNOWN


def test_reports_group_by_domain_phone_or_host():
    assert group_key("Claims Team <pay@ехample-org.test>") == (SenderKind.EMAIL, "ехample-org.test")
    assert group_key("0044 20 7946 0001") == (SenderKind.PHONE, "+442079460001")
    assert group_key("http://Claims-Now.example/pay?x=1") == (SenderKind.LINK, "claims-now.example")


def test_help_lines_are_read_one_a_line_and_picked_by_country():
    lines = parse_help_lines("KE | +254 20 765 4321 | Mon-Fri 8-18\n| +44 20 7946 0000 | 24 hours\n")
    org = OrganisationDetails("X", "https://x.test", (), (), lines, "", "")
    assert [line.phone for line in org.help_lines_for("ke")] == ["+254 20 765 4321"]
    assert [line.phone for line in org.help_lines_for("BR")] == ["+44 20 7946 0000"]
