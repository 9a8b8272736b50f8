"""``python -m tools.bench.send``: notices per second handed to SendGrid, on each database through
the path it runs in production (``make bench`` runs it; docs/sending.md, "Throughput").

* SQLite: the in-process sender (``dispatch_batch`` → ``send_until_idle`` in this process, with
  the posting process a batch this size starts);
* PostgreSQL: real Celery workers (``celery worker``, one pool process each unless
  ``--concurrency``), first one, then two, each on a freshly seeded batch, woken by
  ``dispatch_batch`` through Redis as the web app wakes them.

SendGrid is the fake (tests/fakes/sendgrid_server.py) in a process of its own, answering 202
after ``--delay`` seconds (default 0.15, about what the real API takes), so throughput comes from
requests in flight: the fake counts them (most at once, time-weighted average) and every
notification id it receives twice (**duplicates**, which must be 0). The time is from
``dispatch_batch`` to the fake's last answer. Each chunk's claim is timed inside the sender
(send_probe.py); its median at 10 % and at 90 % of the batch shows whether claiming slows down as
the batch goes. While it sends, the CPU of the senders, PostgreSQL's backends for the benchmark's
database, the fake, and the whole machine is sampled from /proc: on a machine whose cores are
saturated, the split says who had them.
"""

import argparse
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench.send_data import BenchError, fake_sendgrid_says, start_fake_sendgrid
from tools.bench.send_probe import CpuMeter, claim_time_at, claim_times, descendants
from tools.bench.send_runs import run_postgres, run_sqlite

GOAL_CLAIM_RATIO = 1.5
GOAL_WORKER_RATIO = 1.6
GOAL_MILLION_SECONDS = 90
SATURATED = 0.9  # of all cores busy


@dataclass
class Result:
    label: str
    notices: int
    seconds: float  # dispatch to the fake's last answer
    settled_seconds: float  # dispatch to every row recorded
    average_in_flight: float
    max_in_flight: int
    claim_10: float | None
    claim_90: float | None
    chunks: int
    duplicates: int
    machine_busy: float
    cpu: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.notices / self.seconds

    def lines(self) -> list[str]:
        ratio = f"{self.claim_90 / self.claim_10:.2f}" if self.claim_10 and self.claim_90 else "n/a"
        ms = lambda value: f"{value * 1000:.1f} ms" if value is not None else "n/a"  # noqa: E731
        split = ", ".join(f"{name} {share:.0%}" for name, share in self.cpu.items())
        rest = max(0.0, self.machine_busy - sum(self.cpu.values()))
        saturated = " — SATURATED" if self.machine_busy >= SATURATED else ""
        return [
            f"{self.label}: {self.rate:,.0f} notices/s ({self.notices:,} handed to SendGrid in {self.seconds:.1f} s, "
            f"all recorded in {self.settled_seconds:.1f} s)",
            f"  requests in flight: average {self.average_in_flight:.2f}, most at once {self.max_in_flight}",
            f"  claim per chunk ({self.chunks} chunks): {ms(self.claim_10)} at 10 % of the batch, "
            f"{ms(self.claim_90)} at 90 % (ratio {ratio}; goal ≤ {GOAL_CLAIM_RATIO})",
            f"  duplicate deliveries seen by the fake: {self.duplicates} (must be 0)",
            f"  CPU, share of all {os.cpu_count()} cores while sending: machine {self.machine_busy:.0%}{saturated} "
            f"({split}, everything else on the machine {rest:.0%})",
            *self.notes,
        ]


def measure(label, notices, sendgrid_url, claims: Path, groups, start, settled) -> Result:
    """Run ``start()`` (it may block, as the in-process sender does, or return at once), then wait
    for the fake to have answered every notice and ``settled()`` to say every row is recorded."""
    fake_sendgrid_says(sendgrid_url, "reset")
    meter = CpuMeter(groups)
    meter.start()
    sampling = threading.Event()

    def sample_until_done():
        while not sampling.wait(0.5):
            meter.sample()

    sampler = threading.Thread(target=sample_until_done, daemon=True)
    sampler.start()
    began = time.time()
    try:
        start()
        while True:
            stats = fake_sendgrid_says(sendgrid_url, "stats")
            if stats["problems"]:
                raise BenchError(f"the fake SendGrid refused requests: {stats['problems']}")
            if stats["accepted"] >= notices and stats["in_flight"] == 0:
                break
            time.sleep(0.2)
        while not settled():
            time.sleep(0.5)
        settled_at = time.time()
    finally:
        sampling.set()
        sampler.join()
    meter.sample()
    busy, shares = meter.report(os.cpu_count() or 1)
    claimed = claim_times(claims)
    return Result(
        label,
        notices,
        stats["last_answer_at"] - began,
        settled_at - began,
        stats["average_in_flight"],
        stats["max_in_flight"],
        claim_time_at(claimed, 0.1),
        claim_time_at(claimed, 0.9),
        len(claimed),
        stats["duplicates"],
        busy,
        shares,
    )


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def run(
    notices: int,
    delay: float,
    databases: list[str],
    workers: list[int],
    concurrency: int = 1,
    settings: dict | None = None,
    floor: bool = False,
) -> dict[str, "Result"]:
    settings = settings or {}
    print(
        f"send benchmark: {notices:,} notices, fake SendGrid answering after {delay * 1000:.0f} ms a request; "
        f"{os.cpu_count()} cores, load average {load_average()} at the start",
        flush=True,
    )
    fake, sendgrid_url = start_fake_sendgrid(delay)
    results: dict[str, Result] = {}
    fake_group = {"fake SendGrid": lambda: [fake.pid]}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-send-") as folder:
            if "sqlite" in databases:
                here = {"sender (this process, its posting process)": lambda: descendants(os.getpid())}
                result = run_sqlite(Path(folder), notices, sendgrid_url, settings, measure, here | fake_group, floor)
                results["sqlite"] = result
                print("\n".join(result.lines()), flush=True)
            if "postgresql" in databases:
                for count in workers:
                    result = run_postgres(
                        Path(folder), notices, sendgrid_url, settings, measure, fake_group, count, concurrency
                    )
                    if result is None:
                        print("PostgreSQL is NOT measured: the server at BENCH_PG_URL does not answer", flush=True)
                        break
                    results[f"pg{count}"] = result
                    print("\n".join(result.lines()), flush=True)
    finally:
        fake.terminate()
        fake.wait(10)
    summary(results, notices, workers)
    print(f"load average at the end: {load_average()}", flush=True)
    return results


def summary(results: dict[str, Result], notices: int, workers: list[int]) -> None:
    if "pg1" in results and len(workers) > 1 and f"pg{workers[-1]}" in results:
        many = results[f"pg{workers[-1]}"]
        ratio = many.rate / results["pg1"].rate
        print(
            f"PostgreSQL, {workers[-1]} workers / 1 worker: {ratio:.2f}× (goal ≥ {GOAL_WORKER_RATIO}×)",
            flush=True,
        )
        if notices >= 1_000_000:
            print(
                f"PostgreSQL, {notices:,} notices with {workers[-1]} workers: {many.seconds:.1f} s "
                f"(goal < {GOAL_MILLION_SECONDS} s)",
                flush=True,
            )
    duplicates = sum(r.duplicates for r in results.values())
    if duplicates:
        raise BenchError(f"{duplicates} duplicate deliveries: somebody was mailed twice")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.send", description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=None, help="batch size (default 200,000; --large 1,000,000)")
    parser.add_argument("--large", action="store_true", help="1,000,000 notices")
    parser.add_argument("--delay", type=float, default=0.15, help="seconds the fake takes to answer (default 0.15)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", default="1,2", help="Celery worker processes, one run each (default 1,2)")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker (default 1)")
    parser.add_argument("--chunk-size", type=int, default=None, help="SEND_CHUNK_SIZE (default: the app's, 1,000)")
    parser.add_argument(
        "--floor", action="store_true", help="SQLite: also replay the sender's SQL alone (best with --delay 0)"
    )
    args = parser.parse_args(argv)
    notices = args.notices or (1_000_000 if args.large else 200_000)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    settings = {"SEND_CHUNK_SIZE": args.chunk_size} if args.chunk_size else {}
    workers = [int(n) for n in args.workers.split(",")]
    try:
        run(notices, args.delay, databases, workers, args.concurrency, settings, args.floor)
    except BenchError as error:
        raise SystemExit(f"send benchmark: {error}") from None


if __name__ == "__main__":
    main()
