"""The send benchmark's Celery workers: the production Celery app, unchanged, with each chunk's
claim timed (send_probe.py) into the folder named by BENCH_CLAIM_LOG.

    celery -A tools.bench.send_worker worker --concurrency=1
"""

import os

from portal.background.celery_app import celery  # noqa: F401 - the app Celery looks up in this module
from tools.bench.send_probe import install

install(os.environ["BENCH_CLAIM_LOG"])  # before the pool forks, so every pool process times its claims
