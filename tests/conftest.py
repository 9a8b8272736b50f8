"""Fixtures shared by the whole suite.

The database is built once per session by running the real Alembic migrations, on SQLite by
default or on PostgreSQL when DATABASE_URL points at one (`make test-postgres`, CI's second pass).
Every test starts from empty tables.

On PostgreSQL every statement runs as a long-lived production connection runs it: prepared, with
a generic plan (no parameter values at planning). psycopg prepares a statement after five runs on
one connection and the server goes generic after five more, so a statement that works only with
its values in view (``ON CONFLICT … WHERE`` naming a partial index with a parameter did) fails in
production from about its tenth run on a connection, which a test rarely reaches.
"""

import os
import time

import flask_migrate
import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.config import generate_secrets
from portal.extensions import db, limiter
from tests.certificates import make_certificate
from tests.csrf_client import CsrfClient

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
SECRETS = generate_secrets()
# Redis databases are numbered per purpose (redis_test_url); two checkouts testing side by side on
# one machine keep apart by shifting the numbers (a Redis started with more than 16 databases).
REDIS_DB_OFFSET = int(os.environ.get("TEST_REDIS_DB_OFFSET", "0"))


if ON_POSTGRES:
    # Servers and workers the tests start inherit the generic plans; they prepare after five runs.
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c plan_cache_mode=force_generic_plan".strip()

    @event.listens_for(Engine, "connect")
    def _prepare_every_statement(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, psycopg.Connection):
            dbapi_connection.prepare_threshold = 0


def redis_test_url(number: int) -> str:
    """The URL of the Redis database this suite uses for one purpose (each test file its own number)."""
    return f"redis://127.0.0.1:6379/{number + REDIS_DB_OFFSET}"


def test_config(instance_path, **overrides) -> dict:
    url = DATABASE_URL or f"sqlite:///{instance_path}/test.sqlite3"
    return {"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, **SECRETS, **overrides}


test_config.__test__ = False  # a helper, not a test, wherever it is imported


def _drop_everything() -> None:
    """A PostgreSQL test database may hold tables from an earlier run; start from nothing."""
    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    application = create_app(test_config(instance))
    # CSRF is on, as in production: every test client sends the token of a page it loaded.
    application.test_client_class = CsrfClient
    with application.app_context():
        _drop_everything()
        flask_migrate.upgrade()
    return application


def _truncate_all() -> None:
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name != "postgresql":
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        return
    # A thread or process a test started (a sender, a worker) may still hold a transaction open;
    # TRUNCATE then waits or deadlocks. End such leftovers and try again rather than fail the next test.
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            if attempt == 4:
                raise
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                    )
                )
            time.sleep(0.5)


@pytest.fixture(autouse=True)
def _clean_state(app):
    with app.app_context():
        _truncate_all()
    limiter.reset()
    yield
    with app.app_context():
        db.session.remove()
    _fail_if_a_sender_was_left_running(app)


def _fail_if_a_sender_was_left_running(app) -> None:
    """The app lives for the whole session: a sending thread a test started and left running would
    keep claiming and posting rows in later tests, which then fail for reasons not their own."""
    from portal.background.sender import sending_thread, stop_sending_thread

    if "sending_thread" in app.extensions and sending_thread(app).alive():
        stop_sending_thread(app)
        app.extensions.pop("sending_thread", None)
        pytest.fail("the test left the in-process sending thread running; stop it in the test")


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory) -> tuple:
    """One throw-away certificate for 127.0.0.1 for every server the suite runs over HTTPS, and the key."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The fake SendGrid server and the fixtures that point the app at it (tests/fakes/fixtures.py); the
# threaded live server with CSRF on that the concurrency tests race (tests/live.py).
pytest_plugins = ["tests.fakes.fixtures", "tests.live"]


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL pass, ``sqlite_only`` tests are deselected: they prove nothing new there,
    and CI counts a skipped test as one that should have run."""
    if not ON_POSTGRES:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("sqlite_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
