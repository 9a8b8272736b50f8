"""The restructure moves views between packages and renames endpoints; it must not move a URL.

``url_map.txt`` is the app's routes as they were before the move: one line per rule, its methods
and its path. A link in a sent email, a bookmark on a contractor's phone or a SendGrid webhook
setting all point at these paths, so a change here is a change someone outside has to make too.
Regenerate the file only on purpose: ``python -m tests.test_url_map > tests/url_map.txt``.
"""

from pathlib import Path

URL_MAP = Path(__file__).with_name("url_map.txt")


def url_map_lines(app) -> list[str]:
    """Each rule as ``METHODS PATH``; HEAD and OPTIONS are Flask's own and say nothing about us."""
    lines = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        lines.append(f"{','.join(methods)} {rule.rule}")
    return sorted(lines)


def test_every_url_and_method_is_the_one_recorded_before_the_restructure(app):
    recorded = URL_MAP.read_text(encoding="utf-8").splitlines()
    assert url_map_lines(app) == recorded


if __name__ == "__main__":
    import tempfile

    from portal import create_app
    from tests.conftest import test_config

    with tempfile.TemporaryDirectory() as instance:
        print("\n".join(url_map_lines(create_app(test_config(instance)))))
