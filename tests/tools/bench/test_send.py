"""The send benchmark end to end at a tiny size (no speed is asserted): every figure it prints comes
from what really happened — the fake's own counts, the senders' own claims, /proc."""

import json
import threading
import time
import urllib.request

import pytest

from tests.conftest import DATABASE_URL, ON_POSTGRES
from tests.fakes.sendgrid_server import FakeSendGrid
from tools.bench import send
from tools.bench.send_data import BenchError, bench_app, empty_database, fake_sendgrid_says, seed_batch
from tools.bench.send_probe import install

TINY = {"SEND_CHUNK_SIZE": 100}


def post(url: str, payload: dict, api_key: str) -> int:
    request = urllib.request.Request(
        f"{url}/v3/mail/send",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def payload(*ids: int) -> dict:
    return {
        "from": {"email": "notices@example.org"},
        "content": [{"type": "text/plain", "value": "-"}],
        "personalizations": [
            {"to": [{"email": f"p{n}@example.org"}], "custom_args": {"notification_id": str(n)}} for n in ids
        ],
    }


def test_the_fake_counts_each_id_it_received_twice_and_the_requests_in_flight_at_once():
    fake = FakeSendGrid(delay=0.3, keep_ids=False).start()
    try:
        posts = [threading.Thread(target=post, args=(fake.url, payload(1, 2, 3), fake.api_key)) for _ in range(2)]
        for thread in posts:
            thread.start()
        for thread in posts:
            thread.join()
        post(fake.url, payload(4), fake.api_key)
        deadline = time.monotonic() + 5
        while fake.stats()["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler counts its answer as given right after writing it
        stats = fake.stats()
    finally:
        fake.stop()
    assert stats["accepted"] == 7 and stats["duplicates"] == 3
    assert stats["max_in_flight"] == 2 and stats["in_flight"] == 0
    # two requests 0.3 s together, then one alone 0.3 s: on average about 1.5 in flight
    assert 1.1 < stats["average_in_flight"] < 1.9


def test_the_sqlite_run_sends_the_whole_batch_once_through_the_in_process_sender(capsys):
    results = send.run(1500, 0.02, ["sqlite"], [1], settings=TINY)
    result = results["sqlite"]
    assert result.notices == 1500 and result.duplicates == 0
    assert result.chunks == 15  # every claim of the batch was timed, in the sender
    assert result.claim_10 > 0 and result.claim_90 > 0
    assert result.max_in_flight == 1  # one sender posts one chunk at a time
    assert 0 < result.machine_busy <= 1.05 and result.cpu["fake SendGrid"] >= 0
    printed = capsys.readouterr().out
    assert "SQLite, in-process sender:" in printed and "duplicate deliveries seen by the fake: 0" in printed


def test_a_duplicate_delivery_injected_on_purpose_is_counted_and_fails_the_run(tmp_path):
    server, url = send.start_fake_sendgrid(0.0)
    claims = tmp_path / "claims"
    claims.mkdir()
    try:
        app = bench_app(f"sqlite:///{tmp_path / 'bench.sqlite3'}", url, **TINY)
        with app.app_context():
            empty_database()
            batch_id = seed_batch(500, status="approved")
            install(claims)

            def send_then_post_one_chunk_again():
                from portal.sending.service import dispatch_batch

                dispatch_batch(batch_id)
                again = fake_sendgrid_says(url, "payloads")[0]  # a chunk SendGrid already took
                assert post(url, again, "SG.bench") == 202

            result = send.measure("SQLite", 500, url, claims, {}, send_then_post_one_chunk_again, lambda: True)
    finally:
        server.terminate()
        server.wait(10)
    assert result.duplicates == 100
    with pytest.raises(BenchError, match="100 duplicate deliveries"):
        send.summary({"sqlite": result}, 500, [1])


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="the Celery path is PostgreSQL's")
def test_the_postgres_runs_send_through_one_then_two_real_celery_workers(monkeypatch, capsys):
    monkeypatch.setenv("BENCH_PG_URL", f"{DATABASE_URL}_send")  # a database of its own, dropped and created
    results = send.run(2000, 0.02, ["postgresql"], [1, 2], settings=TINY)
    one, two = results["pg1"], results["pg2"]
    assert one.duplicates == two.duplicates == 0 and one.chunks == two.chunks == 20
    assert one.max_in_flight == 1 and two.max_in_flight <= 2
    assert one.cpu["workers"] > 0 and one.cpu["PostgreSQL (this database)"] > 0
    assert "PostgreSQL, 2 workers / 1 worker:" in capsys.readouterr().out
