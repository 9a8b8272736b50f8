"""Every contractor page on a 320 px and a 390 px phone: nothing to scroll sideways, no text spilling
out of its box, codes and references never broken inside. At 320 px with JavaScript off (signing
in and every form on the way must work so); at 390 px with it on, and axe-core on each page.

The pages and their states come from tests/contractor_pages.py (long names, emails, IBANs, codes).
Layout does not depend on the database, so this runs in the SQLite pass only (not collected in the
PostgreSQL pass, rather than skipped). CONTRACTOR_SHOTS=<folder> saves a screenshot of each page.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.a11y import axe_violations, format_violations
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_contractor_flow import fill_check_form
from tests.conftest import ON_POSTGRES
from tests.contractor_pages import build_tour

# Layout and language are the templates' and the catalogs' work, the same on either database:
# the PostgreSQL pass leaves these to the SQLite pass (CI's time limit).
pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

# What a reader of a failure needs: the page width, every element whose content is wider than its
# box (scrollWidth > clientWidth, scroll containers aside), every element reaching past the screen's
# edge, every code or reference drawn on more than one line, and every word broken in the middle.
LAYOUT = r"""() => {
  const doc = document.documentElement;
  const name = el => {
    const classList = typeof el.className === "string" ? el.className.trim().split(/\s+/).filter(Boolean) : [];
    const classes = classList.map(c => "." + c).join("");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes} "${text}"`;
  };
  const result = {
    scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, overflowing: [], outside: [], broken: [], words: [],
  };
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".skip-link, .visually-hidden")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = style.display !== "inline" && el.clientWidth > 0 && style.overflowX === "visible";
    if (box && !["INPUT", "SELECT", "TEXTAREA", "IMG"].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1) {
      result.overflowing.push(`${name(el)}: ${el.scrollWidth}px of content in ${el.clientWidth}px`);
    }
    const rect = el.getBoundingClientRect();
    if (rect.width > 0 && (rect.right > doc.clientWidth + 1 || rect.left < -1)) {
      result.outside.push(`${name(el)}: ${Math.round(rect.left)}..${Math.round(rect.right)}px`);
    }
  }
  for (const el of document.querySelectorAll(".code-group, .nowrap, .reference")) {
    if (el.getClientRects().length > 1) result.broken.push(name(el));
  }
  // A word broken across lines although it would fit on a line of its own in its box, or in a box
  // squeezed to under 40% of the page's column (a value column of a key/value list, say). Words
  // split at spaces, and after - / ? & (where an address may wrap); a word wider than its box
  // has to break somewhere and is not counted, unless the box is one of those squeezed ones.
  const measure = document.createElement("canvas").getContext("2d");
  const contentWidth = el => {
    while (el && getComputedStyle(el).display === "inline") el = el.parentElement;
    const style = getComputedStyle(el);
    return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const column = contentWidth(document.querySelector("main"));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest(".skip-link, .visually-hidden") || !parent.getClientRects().length) continue;
    measure.font = getComputedStyle(parent).font;
    const room = contentWidth(parent);
    for (const match of node.data.matchAll(/[^\s\-\/?&]+[\-\/?&]?/g)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.bottom)));
      const width = measure.measureText(match[0]).width;
      if (lines.size > 1 && (width < room - 4 || (room < column * 0.4 && width < column - 4))) {
        result.words.push(`"${match[0]}" in ${name(parent)}`);
      }
    }
  }
  return result;
}"""


def layout_problems(page: Page, width: int) -> list[str]:
    found = page.evaluate(LAYOUT)
    problems = []
    if found["scrollWidth"] > width:
        problems.append(f"the page is {found['scrollWidth']}px wide: it scrolls sideways")
    problems += [f"overflows its box: {item}" for item in found["overflowing"]]
    problems += [f"reaches past the screen: {item}" for item in found["outside"]]
    problems += [f"a code or reference broken across lines: {item}" for item in found["broken"]]
    problems += [f"a word broken mid-word although it fits a line: {item}" for item in found["words"]]
    return problems


def open_as(browser, browser_context_args, width: int, visitor, javascript: bool) -> Page:
    phone = {"viewport": {"width": width, "height": 740}, "is_mobile": True, "has_touch": True}
    context = browser.new_context(**{**browser_context_args, **phone, "java_script_enabled": javascript})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if visitor is not None:
        page.goto("/check")
        fill_check_form(page, visitor.code, visitor.last_name, visitor.date_of_birth)
        page.wait_for_url(re.compile(r"/my$"))
    return page


if not ON_POSTGRES:

    @pytest.mark.parametrize("width", [320, 390])
    def test_every_contractor_page_fits_a_narrow_phone(browser, browser_context_args, app, width):
        with app.app_context():
            tour = build_tour(app)
        shots = Path(os.environ["CONTRACTOR_SHOTS"]) if os.environ.get("CONTRACTOR_SHOTS") else None
        pages: dict[str | None, Page] = {}
        problems = []
        try:
            for number, visit in enumerate(tour.visits):
                if visit.visitor not in pages:
                    visitor = tour.visitors.get(visit.visitor)
                    # 320 px without JavaScript (every page and form must work so), 390 px with it and axe.
                    pages[visit.visitor] = open_as(browser, browser_context_args, width, visitor, width != 320)
                page = pages[visit.visitor]
                for path, fields, button in visit.before:
                    page.goto(path)
                    for field, value in fields.items():
                        page.locator(f'[name="{field}"]').fill(value)
                    page.get_by_role("button", name=button, exact=True).click()
                response = page.goto(visit.path)
                assert response.status == visit.status, f"{visit.name}: {response.status}"
                page_problems = layout_problems(page, width)
                if width == 390:
                    violations = axe_violations(page)
                    page_problems += [format_violations(violations)] if violations else []
                problems += [f"{visit.name} ({visit.path}) at {width}px: {problem}" for problem in page_problems]
                if shots:
                    shots.mkdir(parents=True, exist_ok=True)
                    slug = re.sub(r"[^a-z0-9]+", "-", visit.name.lower()).strip("-")
                    page.screenshot(path=str(shots / f"{width}-{number:02d}-{slug}.png"), full_page=True)
        finally:
            for page in pages.values():
                page.context.close()
        assert not problems, "\n".join(problems)
