"""The benchmarks' load generator refuses any answer but the expected one, and bench-web runs end to end."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools.bench.load import Call, WrongAnswer, load


class Answers(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status, headers, body = {
            "/page": (200, {}, b"<h1>Your information</h1>"),
            "/to-https": (301, {"Location": "https://127.0.0.1/page"}, b""),
            "/limited": (429, {}, b"Too many requests"),
            "/chunked": (200, {"Transfer-Encoding": "chunked"}, b"5\r\nYour \r\nb\r\ninformation\r\n0\r\n\r\n"),
        }[self.path]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Transfer-Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_expected_pages_are_counted_with_their_latencies(server):
    result = load("127.0.0.1", server, 3, 4, lambda c, n: Call("GET", "/page", marker="Your information"))
    assert result.requests == 12 and len(result.latencies) == 12 and result.per_second > 0
    chunked = load("127.0.0.1", server, 2, 2, lambda c, n: Call("GET", "/chunked", marker="Your information"))
    assert chunked.requests == 4


@pytest.mark.parametrize(
    "call",
    [
        Call("GET", "/to-https", marker="Your information"),  # sent to HTTPS: the proxy header was not trusted
        Call("GET", "/limited", marker="Your information"),  # a throttle answered
        Call("GET", "/page", marker="Your claim"),  # a 200, but not the page asked for
        Call("GET", "/to-https", status=301, marker="/my"),  # a redirect, but not where a success goes
    ],
)
def test_any_other_answer_stops_the_run(server, call):
    with pytest.raises(WrongAnswer):
        load("127.0.0.1", server, 2, 2, lambda c, n: call)


@pytest.mark.sqlite_only  # bench-web makes its own databases, PostgreSQL included
def test_bench_web_runs_every_page_on_a_small_register(tmp_path, monkeypatch):
    from tools.bench import web
    from tools.bench.targets import Target

    monkeypatch.setattr(web, "PER_CONNECTION", dict.fromkeys(web.PER_CONNECTION, 2))
    target = Target("SQLite", f"sqlite:///{tmp_path / 'web.sqlite3'}")
    results = web.run_target(target, tmp_path, people=200, connections=3, rounds=1)
    assert set(results) == {"hello world", "/", "identity check", "/my", "claim status", "staff list"}
    assert all(runs[0].requests == 3 * 2 for runs in results.values())
