"""Markdown written by staff, rendered for the public with an allow-list (no raw HTML gets through)."""

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = ["p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "br", "code"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}


def render_markdown(text: str) -> Markup:
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    cleaned = bleach.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=["https", "http", "mailto", "tel"], strip=True
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by bleach just above
