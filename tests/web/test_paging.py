"""Staff lists answer a page that cannot exist with a 404, never a database error (500)."""

import pytest

from tests.factories import sign_in_staff

IMPOSSIBLE = ["99999999999999999999999", "100001", "-1", "0", "abc", "2"]


@pytest.mark.parametrize(("role", "path"), [("legal", "/staff/claims/"), ("admin", "/staff/outbox/")])
def test_a_page_that_cannot_exist_is_a_404(app, app_ctx, role, path):
    client = app.test_client()
    sign_in_staff(client, role)
    assert {page: client.get(f"{path}?page={page}").status_code for page in IMPOSSIBLE} == dict.fromkeys(
        IMPOSSIBLE, 404
    )
    assert client.get(f"{path}?page=1").status_code == 200
