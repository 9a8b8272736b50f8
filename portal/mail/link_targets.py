"""A template may put a placeholder in a link's address only if it is one of the portal's own.

``[Verify](((first_name)))`` used to be saved: every notice then linked to whatever the register
held in that field, a ``javascript:`` address or an attacker's site, under the portal's name. The
body is rendered to HTML the way it will be mailed and every ``href`` and ``src`` is read, so
inline, reference-style and autolinks are all caught.
"""

import re

from portal.mail.placeholders import ORDERED_NAMES, TOKEN_RE, URL_PLACEHOLDERS, markdown_to_html, tokenize

_TARGET_RE = re.compile(r"\b(?:href|src)=\"([^\"]*)\"")


def link_target_problems(body_markdown: str) -> list[str]:
    """A sentence for the admin per placeholder found in a link's address other than the portal's own."""
    if "((" not in body_markdown:
        return []
    html = markdown_to_html(tokenize(body_markdown, link_urls=False))
    names = {
        ORDERED_NAMES[int(token.group(1))] for target in _TARGET_RE.findall(html) for token in TOKEN_RE.finditer(target)
    }
    allowed = " or ".join(f"(({name}))" for name in URL_PLACEHOLDERS)
    return [
        f"A link's address can only be the portal's own, {allowed}, or an address you type: not (({name}))."
        for name in sorted(names - set(URL_PLACEHOLDERS))
    ]
