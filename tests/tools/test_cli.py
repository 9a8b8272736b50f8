"""``flask dev …`` exists in a checkout outside production only; operators' ``flask portal`` has no tools."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SECRETS, redis_test_url

ROOT = Path(__file__).resolve().parents[2]
# Prints whether the app from app.py has a `dev` group, and whether any module of tools/ was loaded.
PROBE = (
    "import json, sys, app; "
    "print(json.dumps(['dev' in app.app.cli.commands, sorted(m for m in sys.modules if m.split('.')[0] == 'tools')]))"
)


def app_py(env_name: str, tmp_path: Path) -> tuple[bool, list[str]]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(SECRETS)
    env.update(
        {
            "PORTAL_ENV": env_name,
            "PORTAL_INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "RATELIMIT_STORAGE_URI": redis_test_url(9),  # production refuses memory://; nothing is counted here
        }
    )
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    has_dev, tools_modules = json.loads(proc.stdout.strip().splitlines()[-1])
    return has_dev, tools_modules


def test_a_production_app_has_no_dev_group_and_loads_nothing_of_tools(tmp_path):
    assert app_py("production", tmp_path) == (False, [])


def test_a_development_app_has_the_dev_group(tmp_path):
    has_dev, tools_modules = app_py("development", tmp_path)
    assert has_dev
    assert "tools.cli" in tools_modules


def test_flask_portal_help_lists_no_demo_data_or_benchmark_of_imports_and_exports(runner):
    listed = runner.invoke(args=["portal", "--help"]).output
    assert "demo-data" not in listed
    assert "bench-export" not in listed
    assert "  bench " not in listed


def test_flask_dev_lists_demo_data_and_the_benchmarks(runner):
    assert "demo-data" in runner.invoke(args=["dev", "--help"]).output
    listed = runner.invoke(args=["dev", "bench", "--help"]).output
    assert "import" in listed
    assert "export" in listed
