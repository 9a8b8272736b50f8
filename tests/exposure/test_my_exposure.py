from datetime import date

from tests.factories import check_form, expose, give_notice_code, make_incident, make_person


def sign_in(client, code, last_name="Okafor", dob="1990-03-27"):
    assert client.post("/check", data=check_form(code, last_name, dob)).status_code == 302


def test_cards_are_ordered_by_severity_with_the_persons_own_detail(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    expose(person, incident, "task_records", "412 task records, projects Atlas and Birch")
    expose(person, incident, "payment", "bank account ending 4410", date(2025, 6, 1))
    expose(person, incident, "national_id", "KRA PIN ending 7Q")
    sign_in(client, give_notice_code(person, incident))
    page = client.get("/my").get_data(as_text=True)
    order = [
        page.index(t) for t in ("National identity or tax number", "Bank and payout details", "Work and task records")
    ]
    assert order == sorted(order)
    assert "bank account ending 4410" in page and "(June 1, 2025)" in page
    assert "412 task records, projects Atlas and Birch" in page
    assert "What this means" in page and "What you can do now" in page


def test_steps_follow_the_persons_country(client, app_ctx):
    incident = make_incident()
    american = make_person("C-US", country="US")
    kenyan = make_person("C-KE", country="KE")
    for person in (american, kenyan):
        expose(person, incident, "national_id", "number ending 1234")
    sign_in(client, give_notice_code(american))
    assert "Equifax" in client.get("/my").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, give_notice_code(kenyan))
    assert "Equifax" not in client.get("/my").get_data(as_text=True)


def test_a_person_in_several_incidents_sees_each(client, app_ctx):
    first = make_incident("first", title="Vendor breach, June")
    second = make_incident("second", title="Support tool breach, September", discovered_on=date(2026, 11, 1))
    person = make_person("C-1")
    expose(person, first, "video", "3 interview recordings")
    expose(person, second, "communications", "57 support tickets")
    sign_in(client, give_notice_code(person))
    page = client.get("/my").get_data(as_text=True)
    assert "Vendor breach, June" in page and "Support tool breach, September" in page
    assert page.index("Support tool breach") < page.index("Vendor breach")  # newest first


def test_anonymous_visitor_is_sent_to_the_check(client):
    response = client.get("/my")
    assert response.status_code == 302 and response.location.endswith("/check")
