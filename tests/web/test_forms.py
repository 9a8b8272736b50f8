"""Every text field refuses control characters first, with an error beside the field."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db


@pytest.mark.parametrize(
    ("last_name", "message"),
    [
        ("Oka\x00for", "Remove the invisible control characters from this answer"),
        ("Okafor\r\nBcc: x@evil.example", "Write this answer on one line"),
        ("Oka\x1bfor", "Remove the invisible control characters from this answer"),
    ],
)
def test_a_one_line_field_with_a_control_character_is_a_form_error(client, last_name, message):
    response = client.post(
        "/check", data={"notice_code": "7KQ4-M2XD-9PRA", "last_name": last_name, "date_of_birth": "1990-03-27"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and message in page, response.status_code


def test_sql_parameters_never_appear_in_a_database_error(app_ctx):
    """A failed statement's message is what gets logged: it must not carry the values (names, emails)."""
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text("SELECT CAST(:secret AS INTEGER) FROM nonexistent_table"), {"secret": "Amina Okafor"})
    db.session.rollback()
    assert "Amina Okafor" not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
