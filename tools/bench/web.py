"""bench-web: the pages contractors wait for, under gunicorn as production runs it, against hello world.

For each database: a generated register (200,000 people by default) imported the real way, then
gunicorn with the production configuration (2 workers, 4 threads each, trusting one proxy's
X-Forwarded-Proto/-For, as docs/deployment.md's proxy set-up) serving the portal and a hello-world
route (tools/bench/web_app.py). Each page is loaded by 64 keep-alive connections at once; every
answer must be the expected one (the page with 200, or the 302 of a successful identity check),
so a redirect to HTTPS, a 400 or a 429 stops the run. Throttles are raised for the run only.
Rounds alternate hello world and the pages, so a busy machine slows both alike; the table gives
medians over the rounds and each page's req/s as a ratio to hello world's.
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import redis

from portal.config import generate_secrets
from tools.bench.load import Call, LoadResult, load
from tools.bench.setup_client import SetupClient, token_in
from tools.bench.targets import Target, targets
from tools.bench.web_app import HELLO_PATH, HELLO_TEXT
from tools.bench.web_data import INCIDENT_TITLE, STAFF_EMAIL, STAFF_PASSWORD, build_register, totp_now

REPO = Path(__file__).resolve().parents[2]
WORKERS, THREADS = 2, 4
HOST = "127.0.0.1"
RAISED = "1000000 per minute"
# Requests per connection for each page in one round: about the same wall time for each.
PER_CONNECTION = {"hello world": 60, "/": 40, "identity check": 6, "/my": 10, "claim status": 12, "staff list": 12}
GOALS = {"/": "≥ 0.5", "/my": "≥ 0.2, p95 < 100 ms"}


@dataclass(frozen=True)
class Page:
    name: str
    calls: object  # (connection, n) -> Call


def _forwarded(connection: int) -> dict[str, str]:
    """What a TLS-terminating proxy adds; each connection is its own client address."""
    return {"X-Forwarded-Proto": "https", "X-Forwarded-For": f"10.8.{connection // 250}.{1 + connection % 250}"}


def _redis_urls() -> tuple[str, str]:
    offset = int(os.environ.get("BENCH_REDIS_DB_OFFSET", os.environ.get("TEST_REDIS_DB_OFFSET", "0")))
    base = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    return f"{base}/{13 + offset}", f"{base}/{14 + offset}"


def _server_env(target: Target, secrets: dict, folder: Path, port: int) -> dict[str, str]:
    limits, sessions = _redis_urls()
    for url in (limits, sessions):
        redis.Redis.from_url(url).flushdb()
    inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in inherited if name in os.environ}
    return (
        env
        | secrets
        | {
            "PORTAL_ENV": "production",
            "PORTAL_INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": target.url,
            "PYTHONPATH": str(REPO),
            "TRUSTED_PROXY_COUNT": "1",
            "PUBLIC_URL": f"https://{HOST}:{port}",
            "RATELIMIT_STORAGE_URI": limits,
            "SESSION_STORAGE_URI": sessions,
            "MAIL_BACKEND": "outbox",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "VERIFY_LIMIT_PER_CODE": RAISED,
            "VERIFY_LIMIT_PER_IP": RAISED,
            "STAFF_LOGIN_LIMIT_PER_IP": RAISED,
            "STAFF_LOGIN_LIMIT_PER_ACCOUNT": RAISED,
        }
    )


def start_gunicorn(env: dict, listener: socket.socket, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("--workers", str(WORKERS), "--threads", str(THREADS)),
        *("--bind", f"fd://{listener.fileno()}", "--error-logfile", str(log), "--timeout", "120"),
        "tools.bench.web_app:app",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn and app
        command, cwd=REPO, env=env, pass_fds=[listener.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if SetupClient(HOST, listener.getsockname()[1], "10.9.0.1").request("GET", HELLO_PATH)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """TERM, then KILL: only the gunicorn this benchmark started, by its id."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def _check_form(visitor) -> dict[str, str]:
    year, month, day = visitor.date_of_birth.split("-")
    return {
        "notice_code": visitor.code,
        "last_name": visitor.last_name,
        "date_of_birth-day": day.lstrip("0"),
        "date_of_birth-month": month.lstrip("0"),
        "date_of_birth-year": year,
    }


def _sessions(port: int, register, connections: int) -> tuple[list[SetupClient], SetupClient]:
    """One signed-in visitor per connection, and the staff member's signed-in session."""
    visitors = []
    for number in range(connections):
        client = SetupClient(HOST, port, _forwarded(number)["X-Forwarded-For"])
        status, location, _ = client.post_form("/check", _check_form(register.visitors[number]))
        if status != 302 or not location.endswith("/my"):
            raise SystemExit(f"visitor {number} could not pass the identity check: {status} {location}")
        visitors.append(client)
    staff = SetupClient(HOST, port, "10.9.0.2")
    status, location, _ = staff.post_form("/staff/sign-in", {"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    if status != 302 or not location.endswith("/staff/sign-in/code"):
        raise SystemExit(f"staff sign-in: {status} {location}")
    status, location, _ = staff.post_form("/staff/sign-in/code", {"code": totp_now(register.staff_secret)})
    if status != 302:
        raise SystemExit(f"staff sign-in code: {status} {location}")
    return visitors, staff


def _check_posts(port: int, register, connections: int, per_connection: int) -> list[list[Call]]:
    """Each identity-check POST needs a session and token of its own (a success renews both), got first."""
    plans = []
    for connection in range(connections):
        visitor, plan = register.visitors[connection], []
        for _ in range(per_connection):
            client = SetupClient(HOST, port, _forwarded(connection)["X-Forwarded-For"])
            status, _location, html = client.request("GET", "/check")
            if status != 200:
                raise SystemExit(f"GET /check: {status}")
            body = urlencode({**_check_form(visitor), "csrf_token": token_in(html)}).encode()
            headers = _forwarded(connection) | client.cookie_header()
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": client.origin,
                "Referer": client.origin + "/check",
            }
            plan.append(Call("POST", "/check", headers, body, status=302, marker="/my"))
        plans.append(plan)
    return plans


def _pages(register, visitors, staff, check_plans) -> list[Page]:
    def signed_in(connection):
        return _forwarded(connection) | visitors[connection].cookie_header()

    first_reference = register.visitors[0].reference
    return [
        Page("hello world", lambda c, n: Call("GET", HELLO_PATH, _forwarded(c), marker=HELLO_TEXT)),
        Page("/", lambda c, n: Call("GET", "/", _forwarded(c), marker=INCIDENT_TITLE)),
        Page("identity check", lambda c, n: check_plans[c][n]),
        Page("/my", lambda c, n: Call("GET", "/my", signed_in(c), marker="Your information, Maximiliane")),
        Page(
            "claim status",
            lambda c, n: Call(
                "GET",
                f"/my/claims/{register.visitors[c].claim_id}",
                signed_in(c),
                marker=register.visitors[c].reference,
            ),
        ),
        Page(
            "staff list",
            lambda c, n: Call("GET", "/staff/claims/", _forwarded(c) | staff.cookie_header(), marker=first_reference),
        ),
    ]


def run_target(target: Target, folder: Path, people: int, connections: int, rounds: int) -> dict:
    secrets = generate_secrets()
    started = time.perf_counter()
    register = build_register(target.url, secrets, folder, people, connections)
    print(
        f"  {target.name}: {register.people:,} people, {register.exposures:,} exposures "
        f"generated and imported in {time.perf_counter() - started:.0f} s"
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    process = start_gunicorn(
        _server_env(target, secrets, folder, port), listener, folder / f"gunicorn-{target.name}.log"
    )
    listener.close()
    results: dict[str, list[LoadResult]] = {}
    try:
        visitors, staff = _sessions(port, register, connections)
        for round_number in range(rounds + 1):  # round 0 warms every worker's connections and caches
            check_plans = _check_posts(port, register, connections, PER_CONNECTION["identity check"])
            for page in _pages(register, visitors, staff, check_plans):
                count = PER_CONNECTION[page.name] if round_number else 1
                result = load(HOST, port, connections, count, page.calls)
                if round_number:
                    results.setdefault(page.name, []).append(result)
    finally:
        stop(process)
    return results


def report(target: Target, results: dict, rounds: int) -> None:
    hello = statistics.median(r.per_second for r in results["hello world"])
    print(f"  {target.name} (medians of {rounds} round(s), {WORKERS} workers x {THREADS} threads):")
    print(f"    {'page':16} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'x hello':>8}  goal")
    for name, runs in results.items():
        per_second = statistics.median(r.per_second for r in runs)
        p50 = statistics.median(r.p50 for r in runs)
        p95 = statistics.median(r.percentile(0.95) for r in runs)
        p99 = statistics.median(r.percentile(0.99) for r in runs)
        print(
            f"    {name:16} {per_second:8,.0f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {per_second / hello:8.2f}  "
            f"{GOALS.get(name, '')}"
        )


def main(people: int, database: str, connections: int, rounds: int) -> None:
    print(f"bench-web: {people:,} people, {connections} connections, gunicorn {WORKERS} workers x {THREADS} threads")
    with tempfile.TemporaryDirectory(prefix="portal-bench-web-") as directory:
        folder = Path(directory)
        for target in targets(folder, database, "web"):
            results = run_target(target, folder, people, connections, rounds)
            report(target, results, rounds)
