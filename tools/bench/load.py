"""A load generator on asyncio streams: many keep-alive HTTP/1.1 connections, every answer checked.

Each connection sends its requests one after another (as a browser tab does) and times each from
the first byte sent to the last byte read. A request is a ``Call``: what to send and what a right
answer looks like. Any other answer (a redirect to HTTPS, a 400, a 429, a wrong page) stops the
run with the answer shown: a figure measured on error pages would be no figure.
"""

import asyncio
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    status: int = 200
    marker: str = ""  # text the body must hold (a 200) or the Location must end with (a 302)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """Milliseconds; nearest-rank over every request of the run."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies)


class WrongAnswer(AssertionError):
    pass


def check(call: Call, answer: Answer) -> None:
    if answer.status != call.status:
        raise WrongAnswer(
            f"{call.method} {call.path}: {answer.status} (expected {call.status}), "
            f"Location {answer.headers.get('location', '-')!r}, body {answer.body[:200]!r}"
        )
    if call.status in (301, 302, 303) and not answer.headers.get("location", "").endswith(call.marker):
        raise WrongAnswer(f"{call.method} {call.path}: sent to {answer.headers.get('location')!r}")
    if call.status == 200 and call.marker.encode() not in answer.body:
        raise WrongAnswer(f"{call.method} {call.path}: 200 without {call.marker!r}: {answer.body[:300]!r}")


def _encode(call: Call, host: str) -> bytes:
    lines = [f"{call.method} {call.path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in call.headers.items()]
    if call.method != "GET":
        lines.append(f"Content-Length: {len(call.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + call.body


async def _read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        return Answer(int(status_line.split()[1]), headers, bytes(body))
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Answer(int(status_line.split()[1]), headers, body)


async def _connection(host: str, port: int, calls: list[Call], latencies: list[float]) -> None:
    reader = writer = None
    try:
        for call in calls:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(_encode(call, f"{host}:{port}"))
            answer = await _read_answer(reader)
            latencies.append(time.perf_counter() - started)
            check(call, answer)
            if answer.headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(host: str, port: int, plans: list[list[Call]]) -> LoadResult:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, plan, latencies) for plan in plans))
    return LoadResult(len(latencies), time.perf_counter() - started, latencies)


def load(host: str, port: int, connections: int, per_connection: int, make_call: Callable[[int, int], Call]):
    """``make_call(connection, n)`` gives each connection's n-th request; all connections run at once."""
    plans = [[make_call(c, n) for n in range(per_connection)] for c in range(connections)]
    # Its own thread and event loop: the caller's thread may already run one (Playwright's sync API
    # keeps a loop running for the whole browser session), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _run(host, port, plans)).result()
