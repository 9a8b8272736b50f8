"""``flask dev bench …``: the benchmarks that run inside one Flask app (``python -m tools.bench`` runs
the others, each side in a fresh process of its own)."""

import click

from tools.bench.exports import bench_export_command
from tools.bench.imports import bench_command

bench_cli = click.Group("bench", help="Benchmarks against same-work baselines (docs/performance.md).")
bench_cli.add_command(bench_command)
bench_cli.add_command(bench_export_command)
