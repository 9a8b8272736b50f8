"""The tools' commands run through ``flask dev …``, added to the test app as ``app.py`` adds it."""

import pytest

from tools.cli import dev_cli


@pytest.fixture
def runner(app):
    app.cli.add_command(dev_cli)
    return app.test_cli_runner()
