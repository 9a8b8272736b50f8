"""One dispatcher decides how background work runs: Celery by name when a broker is set, a thread
of this process, or inline before the call returns. Every task is defined once."""

import base64
import json
import subprocess
import sys
import threading
import time

import pytest
import redis

from portal.background.dispatch import CELERY, INLINE, THREAD, run_mode, run_task
from portal.background.tasks import ALL_TASKS, BUILD_EXPORT, BackgroundTask
from tests.conftest import SECRETS, redis_test_url

BROKER = redis_test_url(14)
RAN: list[tuple[str, tuple, bool]] = []  # (thread name, args, had an app context)


def record_where_it_ran(*args) -> None:
    from flask import has_app_context

    RAN.append((threading.current_thread().name, args, has_app_context()))


def fail_loudly(*_args) -> None:
    raise RuntimeError("the task failed")


RECORD = BackgroundTask("tests.record", "tests.background.test_dispatch:record_where_it_ran")
FAIL = BackgroundTask("tests.fail", "tests.background.test_dispatch:fail_loudly")


@pytest.fixture(autouse=True)
def _forget():
    RAN.clear()
    yield
    RAN.clear()


def test_every_task_has_one_distinct_name_and_a_function_that_exists():
    names = [task.name for task in ALL_TASKS]
    assert len(set(names)) == len(names)
    for task in ALL_TASKS:
        assert callable(task.function()), task.target


def test_the_mode_is_celery_whenever_a_broker_is_set(app, override_config):
    assert run_mode(app) == INLINE
    override_config(SENDING_ENGINE="thread")
    assert run_mode(app) == THREAD
    override_config(CELERY_BROKER_URL=BROKER)
    assert run_mode(app) == CELERY


def test_inline_mode_runs_the_task_before_returning(app_ctx):
    run_task(RECORD, 7, "x")
    assert [(threading.current_thread().name, (7, "x"), True)] == RAN


def test_thread_mode_runs_the_task_on_its_own_thread_with_an_app_context(app_ctx, override_config):
    override_config(SENDING_ENGINE="thread")
    run_task(RECORD, 8)
    deadline = time.monotonic() + 5
    while not RAN and time.monotonic() < deadline:
        time.sleep(0.01)
    ((thread_name, args, had_context),) = RAN
    assert thread_name == "record" and thread_name != threading.current_thread().name
    assert args == (8,) and had_context


def test_a_failing_task_in_thread_mode_is_logged_not_lost(app_ctx, override_config, caplog):
    override_config(SENDING_ENGINE="thread")
    run_task(FAIL)
    deadline = time.monotonic() + 5
    while "background task tests.fail failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "background task tests.fail failed" in caplog.text and "RuntimeError" in caplog.text


def test_celery_mode_enqueues_the_task_by_its_name_and_runs_nothing_here(app_ctx, override_config):
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    override_config(CELERY_BROKER_URL=BROKER)
    try:
        run_task(BUILD_EXPORT, 42)
        (message,) = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    finally:
        client.flushdb()
    assert message["headers"]["task"] == "portal.legal.build_export"
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args == [42] and kwargs == {}
    assert RAN == []


def test_the_celery_app_registers_every_task_under_its_name(app):
    program = "from portal.background.celery_app import celery; print('\\n'.join(sorted(celery.tasks)))"
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_INSTANCE_PATH": app.instance_path,
        "CELERY_BROKER_URL": BROKER,
        **SECRETS,
    }
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {task.name for task in ALL_TASKS} <= set(done.stdout.split())
