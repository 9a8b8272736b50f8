"""Real Celery worker processes for the send benchmark on PostgreSQL, started and stopped by it.

Each is ``celery worker`` with one pool process (``--concurrency``), the production app
(send_worker.py) and the same database, keys and fake SendGrid as the benchmark, as a deployment
would give every process the same configuration. They log to files in the run's folder; a worker
that does not say it is ready within three minutes stops the run with its log.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.bench.send_data import API_KEY, ROOT, SECRETS, BenchError

CELERY = Path(sys.executable).parent / "celery"


def worker_env(database_url: str, sendgrid_url: str, broker_url: str, claims: Path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENDGRID_", "CELERY_", "MAIL_", "SEND_"))}
    env.update(SECRETS)
    env.update(
        {
            "PORTAL_ENV": "testing",
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            "MAIL_BACKEND": "sendgrid",
            "SENDGRID_API_KEY": API_KEY,
            "SENDGRID_HOST": sendgrid_url,
            "SENDGRID_TIMEOUT_SECONDS": "30",
            "MAIL_REPLY_TO": "help@example.org",
            "CELERY_BROKER_URL": broker_url,
            "BENCH_CLAIM_LOG": str(claims),
            **{name: str(value) for name, value in settings.items()},
        }
    )
    return env


STARTUP_SECONDS = 180  # on a loaded machine importing the app takes a while


class Workers:
    def __init__(self, env: dict, folder: Path, concurrency: int = 1):
        self.env, self.folder, self.concurrency = env, folder, concurrency
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, count: int) -> None:
        for number in range(1, count + 1):
            log = self.folder / f"worker-{count}-{number}.log"  # this run's own: a later run must not read it
            self.logs.append(log)
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - the venv's celery, our own app
                    [
                        str(CELERY),
                        "-A",
                        "tools.bench.send_worker",
                        "worker",
                        f"--concurrency={self.concurrency}",
                        "--pool=prefork",
                        "--loglevel=INFO",
                        f"--logfile={log}",
                        f"--hostname=bench{number}@%h",
                        "--without-mingle",
                        "--without-gossip",
                        "--without-heartbeat",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        for number, (process, log) in enumerate(zip(self.processes, self.logs, strict=True), start=1):
            while not (log.exists() and " ready." in log.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"Celery worker {number} did not start:\n{self.log_tail()}")
                time.sleep(0.2)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def log_tail(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in self.logs if path.exists())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown: the pool finishes its task
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.logs.clear()
