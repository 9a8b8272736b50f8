"""Helper processes' plumbing (portal/background/helpers.py)."""

import os
import subprocess
import sys

from portal.background.helpers import ROOT


def test_a_helper_ending_without_teardown_keeps_what_it_wrote_and_its_exit_code():
    program = (
        "import sys\n"
        "from portal.background.helpers import exit_without_teardown\n"
        "sys.stdout.write('answer')\n"  # buffered: a bare os._exit would lose it
        "sys.stderr.write('warning')\n"
        "exit_without_teardown(3)\n"
    )
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=buffered, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "answer", "warning")
