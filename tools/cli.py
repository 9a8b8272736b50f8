"""``flask dev …``: demo data and benchmarks, for a checkout of the repository.

``app.py`` adds this group outside production only. Not ``create_app``: the product package never
imports ``tools`` (it is not shipped with it), and production never loads fictional data.
"""

from flask.cli import AppGroup

from tools.bench.cli import bench_cli
from tools.demo.load import demo_data

dev_cli = AppGroup("dev", help="Demo data and benchmarks (not in production).")
dev_cli.add_command(demo_data)
dev_cli.add_command(bench_cli)
