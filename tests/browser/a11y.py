"""Page checks shared by the browser tests: axe-core, and fitting a 360 px phone screen."""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 360

# Only what a reader of a failure needs; the whole result object is several hundred KB.
_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


@cache
def _axe_source() -> str:
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run `npm install` (or `make test`, which does) first.")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core's default rules (WCAG 2.x A/AA and best practices) on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    return page.evaluate(_RUN_AXE)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            for detail in node["summary"].splitlines():
                if detail.strip():
                    lines.append(f"      {detail.strip()}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with a readable list (rule, impact, help, nodes) if axe-core finds any violation."""
    violations = axe_violations(page)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n" + format_violations(
        violations
    )


def assert_fits_phone(page: Page) -> None:
    """No sideways scrolling on a 360 px screen: nothing is wider than the viewport."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide, so it scrolls sideways on a {PHONE_WIDTH}px phone"
