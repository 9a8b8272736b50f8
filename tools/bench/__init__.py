"""Benchmarks run by ``make bench``: the register import and the claimant export on SQLite and
PostgreSQL beside same-work baselines, and the contractors' pages under gunicorn beside a
hello-world route. Not part of the product package; docs/performance.md explains the figures."""
