"""Who sees which monitoring product: country lists, the US-credit-file rule, active products, own incidents."""

import pytest

from portal.monitoring.service import is_eligible
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import FUTURE, make_product, sign_in


@pytest.fixture
def incident(app_ctx):
    return make_incident(enrollment_deadline=FUTURE)


@pytest.mark.parametrize(
    ("countries", "country", "eligible"),
    [
        ("", "KE", True),  # empty list: everywhere
        ("", "US", True),
        ("KE,NG", "KE", True),
        ("KE,NG", "BR", False),
        ("US", "US", True),
    ],
)
def test_eligibility_by_country(incident, countries, country, eligible):
    person = make_person(country=country)
    expose(person, incident, "contact")
    assert is_eligible(person, make_product(incident, countries=countries)) is eligible


@pytest.mark.parametrize(
    ("country", "category", "eligible"),
    [
        ("US", "national_id", True),
        ("US", "contact", False),  # a US resident whose SSN was not exposed
        ("KE", "national_id", False),  # a KRA PIN gives no US credit file
    ],
)
def test_a_product_needing_a_us_credit_file_is_only_for_us_people_with_a_national_id_exposed(
    incident, country, category, eligible
):
    person = make_person(country=country)
    expose(person, incident, category)
    assert is_eligible(person, make_product(incident, requires_us_credit_file=True)) is eligible


def test_the_national_id_must_be_exposed_in_the_products_own_incident(incident):
    other = make_incident("other")
    person = make_person(country="US")
    expose(person, incident, "contact")
    expose(person, other, "national_id")
    assert not is_eligible(person, make_product(incident, requires_us_credit_file=True))


def test_the_products_page_lists_only_eligible_active_products(client, incident):
    person = make_person(country="KE")
    expose(person, incident, "contact")
    make_product(incident, name="Dark Web Watch", countries="")
    make_product(incident, name="US Credit Monitor", countries="US", requires_us_credit_file=True)
    make_product(incident, name="Nigeria Watch", countries="NG")
    make_product(incident, name="Retired Product", active=False)
    sign_in(client, person)
    page = client.get(f"/my/monitoring/{incident.id}").get_data(as_text=True)
    assert "Dark Web Watch" in page
    for hidden in ("US Credit Monitor", "Nigeria Watch", "Retired Product"):
        assert hidden not in page


def test_nothing_on_offer_says_so(client, incident):
    person = make_person(country="KE")
    expose(person, incident, "contact")
    make_product(incident, countries="US")
    sign_in(client, person)
    page = client.get(f"/my/monitoring/{incident.id}").get_data(as_text=True)
    assert "There is no monitoring product we can offer to people in your country" in page


def test_an_ineligible_or_foreign_product_or_incident_is_not_found(client, incident):
    person = make_person(country="KE")
    expose(person, incident, "contact")
    us_only = make_product(incident, countries="US")
    elsewhere = make_incident("elsewhere")
    foreign = make_product(elsewhere)
    sign_in(client, person)
    assert client.get(f"/my/monitoring/{elsewhere.id}").status_code == 404
    assert client.get(f"/my/monitoring/{incident.id + 1000}").status_code == 404
    for product in (us_only, foreign):
        assert client.get(f"/my/monitoring/product/{product.id}").status_code == 404
        assert client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"}).status_code == 404
        assert client.get(f"/my/monitoring/product/{product.id}/code").status_code == 404


def test_the_exposure_page_links_to_monitoring_and_updates_for_each_incident(client, incident):
    person = make_person(country="KE")
    expose(person, incident, "contact")
    make_product(incident)
    sign_in(client, person)
    page = client.get("/my").get_data(as_text=True)
    assert f'href="/my/monitoring/{incident.id}">Enroll in monitoring</a>' in page
    assert f'href="/my/updates/{incident.id}">Get updates</a>' in page
