"""A fake SendGrid v3 mail-send API on 127.0.0.1, over real HTTP.

It checks what the real API would reject (auth header, 1..1,000 personalizations, string
``custom_args``, a recipient, content) and records every request. Tests script its answers, one
per request, in order; when the script runs out it answers 202 with an ``X-Message-Id``::

    server.script(Reply.rate_limited(reset_in=1), 202)
    server.script(500, 500, 500, 202)
    server.script(Reply.hang())            # sleeps past the client's timeout
    server.script(Reply.close())           # reads the request, then closes without an answer
    server.script(Reply.close_unread())    # closes before reading the body (the client sees a reset)
    server.script(Reply.slow(0.5))         # answers 202, half a second later
    server.script(Reply.error(400, "The from email does not contain a valid address.", "from.email"))

Run alone (the benchmark does, so it does not share the GIL with the sender)::

    python -m tests.fakes.sendgrid_server --port 0 --delay 0.15   # prints "listening on http://127.0.0.1:PORT"

``GET /__stats`` says what a benchmark needs to trust its figures: requests, notices accepted,
**duplicates** (notification ids it received more than once in requests it took: answered 202,
or read and never answered), how many requests were in flight at once (the most, and the average
between the first request's arrival and the last answer) and when those were.
"""

import argparse
import json
import secrets
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_PERSONALIZATIONS = 1000
DEFAULT_API_KEY = "SG.fake-test-key"
FIRST_ACCEPTED_KEPT = 25


@dataclass(frozen=True)
class Reply:
    status: int = 202
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    hangs: bool = False
    closes: bool = False  # read the whole request, then close the connection without answering
    unread: bool = False  # close the connection before reading the request's body
    delay: float = 0.0  # answer, but only after this many seconds (less than the client's timeout)

    @classmethod
    def error(cls, status: int, message: str, field_name: str | None = None) -> "Reply":
        return cls(status, {"errors": [{"message": message, "field": field_name, "help": None}]})

    @classmethod
    def rate_limited(cls, reset_in: float = 1.0) -> "Reply":
        reset = int(time.time() + reset_in + 0.999)
        return cls(
            429,
            {"errors": [{"message": "too many requests", "field": None, "help": None}]},
            {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        )

    @classmethod
    def hang(cls) -> "Reply":
        return cls(202, hangs=True)

    @classmethod
    def close(cls) -> "Reply":
        return cls(202, closes=True)

    @classmethod
    def close_unread(cls) -> "Reply":
        return cls(202, unread=True)

    @classmethod
    def slow(cls, seconds: float, status: int = 202) -> "Reply":
        return cls(status, delay=seconds)


@dataclass
class Recorded:
    status: int | str  # "hang" for a request we never answered in time
    notification_ids: list[str]
    personalizations: int
    payload: dict | None


def _coerce(reply) -> Reply:
    return reply if isinstance(reply, Reply) else Reply(int(reply))


class FakeSendGrid:
    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        hang_seconds: float = 30.0,
        keep_payloads: bool = True,
        delay: float = 0.0,
        keep_ids: bool = True,
    ):
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.keep_payloads = keep_payloads
        self.keep_ids = keep_ids  # a million-notice benchmark keeps only the set below, not a list per request
        self.delay = delay  # how long a 202 takes when the script has run out (a real API's latency)
        self.requests: list[Recorded] = []
        self.problems: list[str] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.accepted_count = 0  # personalizations answered 202 (kept even without payloads)
        # The first payloads answered 202, kept even without keep_payloads: the send benchmark
        # posts them again in its bare loop (GET /__payloads).
        self.first_accepted: list[dict] = []
        self._taken: set[int | str] = set()  # every id in a request it took, to count duplicates
        self.duplicates = 0
        self._in_flight = self.max_in_flight = 0
        self._busy_integral = 0.0  # request-seconds in flight
        self._last_change = self.first_request_at = self.last_answer_at = None

    # -- control ----------------------------------------------------------------------------------

    def start(self, port: int = 0) -> "FakeSendGrid":
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-sendgrid", daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, *replies) -> None:
        with self._lock:
            self._script.extend(_coerce(r) for r in replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.first_accepted.clear()
            self.problems.clear()
            self.accepted_count = 0
            self._taken.clear()
            self.duplicates = 0
            self._in_flight = self.max_in_flight = 0
            self._busy_integral = 0.0
            self._last_change = self.first_request_at = self.last_answer_at = None

    # -- what tests ask ---------------------------------------------------------------------------

    def ids_answered(self, *statuses) -> Counter:
        """How often each notification id was in a request answered with one of ``statuses``."""
        counts = Counter()
        for recorded in self.requests:
            if recorded.status in statuses:
                counts.update(recorded.notification_ids)
        return counts

    def may_have_received(self) -> Counter:
        """Ids in requests whose fate the client cannot know: those it may have mailed, and those it
        closed the connection on before reading (to the client, a reset after the whole request
        was written looks the same as one after SendGrid took it)."""
        return self.ids_answered(202, "hang", "closed", "unread")

    def possibly_mailed(self) -> Counter:
        """Ids in requests SendGrid accepted or may have (answered 202, never answered, or closed on)."""
        return self.ids_answered(202, "hang", "closed")

    # -- request handling -------------------------------------------------------------------------

    def stats(self) -> dict:
        with self._lock:
            span = (self.last_answer_at or 0) - (self.first_request_at or 0)
            return {
                "requests": len(self.requests),
                "accepted": self.accepted_count,
                "duplicates": self.duplicates,
                "in_flight": self._in_flight,
                "max_in_flight": self.max_in_flight,
                "average_in_flight": self._busy_integral / span if span > 0 else 0.0,
                "first_request_at": self.first_request_at,
                "last_answer_at": self.last_answer_at,
                "problems": self.problems[:10],
            }

    def _flight(self, change: int) -> None:
        """A request arrives (+1) or is answered (-1): the time-weighted count of requests in flight."""
        with self._lock:
            now = time.time()
            if self._last_change is not None:
                self._busy_integral += self._in_flight * (now - self._last_change)
            self._last_change = now
            self._in_flight += change
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            if change > 0 and self.first_request_at is None:
                self.first_request_at = now
            if change < 0:
                self.last_answer_at = now

    def _next_is_unread(self) -> bool:
        """Whether the next scripted reply closes before reading the body (taken off the script)."""
        with self._lock:
            if self._script and self._script[0].unread:
                self._script.pop(0)
                return True
            return False

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else Reply(202, delay=self.delay)

    def check(self, headers, payload) -> Reply | None:
        """What the real API would refuse regardless of the script."""
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return Reply.error(401, "The provided authorization grant is invalid, expired, or revoked")
        if not isinstance(payload, dict):
            return Reply.error(400, "Bad Request", None)
        personalizations = payload.get("personalizations")
        if not isinstance(personalizations, list) or not 1 <= len(personalizations) <= MAX_PERSONALIZATIONS:
            return Reply.error(
                400,
                "The personalizations field must have at least one and no more than 1000 personalizations.",
                "personalizations",
            )
        for index, item in enumerate(personalizations):
            if not item.get("to") or not all(
                isinstance(to.get("email"), str) and "@" in to["email"] for to in item["to"]
            ):
                return Reply.error(400, "Each personalization needs a recipient email.", f"personalizations.{index}.to")
            custom = item.get("custom_args", {})
            if not all(isinstance(v, str) for v in custom.values()):
                return Reply.error(
                    400, "Invalid type. Expected: string, given: integer.", f"personalizations.{index}.custom_args"
                )
        if not payload.get("from", {}).get("email") or not payload.get("content"):
            return Reply.error(400, "The from address and content are required.", "from")
        return None

    def record(self, status, payload) -> None:
        personalizations = payload.get("personalizations", []) if isinstance(payload, dict) else []
        ids = [str(p.get("custom_args", {}).get("notification_id")) for p in personalizations]
        with self._lock:
            if status in (202, "hang", "closed"):  # taken: as far as the client can tell, mailed
                for nid in ids:
                    key = int(nid) if nid.isdigit() else nid
                    if key in self._taken:
                        self.duplicates += 1
                    self._taken.add(key)
            kept = ids if self.keep_ids else []
            self.requests.append(Recorded(status, kept, len(personalizations), payload if self.keep_payloads else None))
            if status == 202:
                self.accepted_count += len(personalizations)
                if len(self.first_accepted) < FIRST_ACCEPTED_KEPT:
                    self.first_accepted.append(payload)


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSendGrid
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: payloads are personal data, even fake ones
        pass

    def _answer(self, reply: Reply) -> None:
        body = json.dumps(reply.body).encode() if reply.body is not None else b""
        self.send_response(reply.status)
        if reply.status == 202:
            self.send_header("X-Message-Id", secrets.token_urlsafe(16))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__stats":
            self._answer(Reply(200, self.server_fake.stats()))
        elif self.path == "/__payloads":
            self._answer(Reply(200, self.server_fake.first_accepted))
        else:
            self._answer(Reply.error(404, "not found"))

    def do_POST(self):
        fake = self.server_fake
        if self.path == "/v3/mail/send" and fake._next_is_unread():
            return self._close_unread(fake)
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/__reset":
            fake.reset()
            return self._answer(Reply(200, {}))
        if self.path != "/v3/mail/send":
            return self._answer(Reply.error(404, "not found"))
        fake._flight(+1)
        try:
            return self._mail_send(fake, raw)
        finally:
            fake._flight(-1)

    def _close_unread(self, fake: "FakeSendGrid") -> None:
        """Give up on the request before reading its body: closing with the body still unread in the
        socket resets the connection. The body is only peeked at (left in place) to know its ids."""
        fake.record("unread", self._peek_body(int(self.headers.get("Content-Length", "0"))))
        self.close_connection = True

    def _peek_body(self, length: int) -> dict:
        buffered = self.rfile.peek(length)[:length]  # what the header parsing already buffered
        waiting = b""
        deadline = time.monotonic() + 5
        while len(buffered) + len(waiting) < length and time.monotonic() < deadline:
            waiting = self.connection.recv(length - len(buffered), socket.MSG_PEEK)
            time.sleep(0.01)
        try:
            payload = json.loads(buffered + waiting)
        except ValueError:
            return {}
        return payload if isinstance(payload, dict) else {}

    def _mail_send(self, fake: "FakeSendGrid", raw: bytes):
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        refusal = fake.check(self.headers, payload)
        if refusal is not None:
            fake.problems.append(f"{refusal.status}: {refusal.body['errors'][0]['message']}")
            fake.record(refusal.status, payload if isinstance(payload, dict) else {})
            return self._answer(refusal)
        reply = fake._next_reply()
        if reply.closes:
            fake.record("closed", payload)  # we read it: as far as the client knows, it may have been sent
            self.close_connection = True
            return None
        if reply.hangs:
            fake.record("hang", payload)
            fake._release.wait(fake.hang_seconds)
            try:
                return self._answer(reply)
            except OSError:
                return None  # the client gave up long ago
        fake.record(reply.status, payload)  # on arrival: a slow answer is a request in flight
        if reply.delay:
            time.sleep(reply.delay)
            try:
                return self._answer(reply)
            except OSError:
                return None  # the client went away meanwhile (a test killed it)
        self._answer(reply)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each 202 (default: at once)")
    args = parser.parse_args(argv)
    fake = FakeSendGrid(api_key=args.api_key, keep_payloads=False, delay=args.delay, keep_ids=False).start(args.port)
    print(f"listening on {fake.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()
