from tests.batches.conftest import admin, incident, person_in, second_admin  # noqa: F401
