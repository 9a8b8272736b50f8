import re

from portal.models import Exposure, Person, StaffUser


def test_demo_data_loads_once_and_its_printed_codes_work(runner, client, app_ctx):
    result = runner.invoke(args=["portal", "demo-data", "--people", "40"])
    assert result.exit_code == 0, result.output
    assert Person.query.count() == 40 and Exposure.query.count() >= 40
    assert {user.role for user in StaffUser.query} == {"admin", "legal", "support", "auditor"}
    samples = re.findall(r"notice code (\S+)\s+last name (.+?)\s+date of birth (\S+)", result.output)
    assert len(samples) == 5
    for code, last_name, born in samples:
        response = client.post("/check", data={"notice_code": code, "last_name": last_name, "date_of_birth": born})
        assert response.status_code == 302, (code, last_name)
        client.get("/my")  # the page with the sign-out button
        client.post("/sign-out")

    again = runner.invoke(args=["portal", "demo-data", "--people", "40"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert Person.query.count() == 40
