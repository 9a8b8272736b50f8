"""The databases a benchmark runs on: a SQLite file, and PostgreSQL when it answers.

PostgreSQL is reached at BENCH_PG_URL (the Makefile passes the tests' server with a database of
the benchmark's own, which it drops and creates afresh); when it does not answer the benchmark
says so and runs on SQLite alone.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


@dataclass(frozen=True)
class Target:
    name: str  # "SQLite" or "PostgreSQL"
    url: str

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's database (never any other: the name comes from BENCH_PG_URL)."""
    parsed = make_url(url)
    admin = libpq_url(str(parsed.set(database="postgres")))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


def postgres_problem(url: str) -> str | None:
    try:
        with psycopg.connect(libpq_url(str(make_url(url).set(database="postgres"))), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def targets(folder: Path, which: str, name: str) -> list[Target]:
    """The targets asked for (``sqlite``, ``postgresql`` or ``both``), each in a fresh database."""
    chosen = []
    if which in ("sqlite", "both"):
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        chosen.append(Target("SQLite", f"sqlite:///{path}"))
    if which in ("postgresql", "both"):
        url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
        problem = postgres_problem(url)
        if problem:
            print(f"PostgreSQL is NOT measured: {make_url(url).render_as_string()} does not answer ({problem}).")
        else:
            fresh_postgres(url)
            chosen.append(Target("PostgreSQL", url))
    return chosen
