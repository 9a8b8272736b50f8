"""Markdown written by staff, rendered for the public with an allow-list (no raw HTML gets through)."""

import re
from functools import lru_cache

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = ["p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "br", "code"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}


def render_markdown(text: str) -> Markup:
    return Markup(_sanitised_html(text or ""))  # noqa: S704 - sanitised by bleach in _sanitised_html


# Keyed by the text itself, so an edit to an incident or an update (by whichever worker, by any path)
# is a new key and shows on the next request: nothing to invalidate, nothing to tell other workers.
# GET / rendered the same Markdown on every request: about a third of its time (docs/performance.md).
@lru_cache(maxsize=256)
def _sanitised_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return bleach.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=["https", "http", "mailto", "tel"], strip=True
    )


_BREAK_AFTER = re.compile(r"(?<=[@/._?&])(?=\w)")


def breakable(value) -> Markup:
    """Text whose long addresses may wrap after "@", "/", ".", "_", "?" or "&" and nowhere else.

    A narrow phone screen would otherwise break "help@exposure-portal.example" wherever the line
    ends ("help@exp/osure..."); a <wbr> after each separator gives the browser better places.
    """
    return Markup("<wbr>").join(_BREAK_AFTER.split(str(value or "")))  # join escapes each part


_CODE_GROUP = re.compile(r"[^\s-]+-?|-|\s+")


def code_groups(value) -> Markup:
    """A code or reference that wraps only between its groups ("DEMO-Z8F1-" / "50QE-S2Y3"), never inside one.

    Someone types it back letter by letter; a break inside a group, or one that leaves a dash alone
    at the start of a line, makes that harder. Copying it still gives the code as it is.
    """
    out = []
    for group in _CODE_GROUP.findall(str(value or "")):
        if group.isspace():
            out.append(Markup(" "))
        else:
            if out and out[-1] != " ":
                out.append(Markup("<wbr>"))
            out.append(Markup('<span class="code-group">{}</span>').format(group))
    return Markup("").join(out)


def nowrap(value) -> Markup:
    """A reference inside a sentence: the sentence wraps around it, never through it."""
    return Markup('<span class="nowrap">{}</span>').format(value)


def tel_href(phone) -> str:
    """A phone number as a tel: link wants it: "+1 800 555 0199" -> "tel:+18005550199"."""
    text = str(phone or "")
    return "tel:" + ("+" if text.strip().startswith("+") else "") + re.sub(r"\D", "", text)
