"""Placeholders and the Markdown they sit in: the names a template may use, the opaque tokens that
stand for them while Markdown is converted and sanitised, and the conversions themselves.

Shared by rendering (which fills the tokens) and link_targets (which reads where they ended up), so
neither needs the other's internals.
"""

import re

import bleach
import markdown

from portal.core.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

PLACEHOLDERS: dict[str, str] = {
    "first_name": "The person's first name, as in the register",
    "last_name": "The person's last name, as in the register",
    "notice_code": "The fresh notice code issued with this notice (the person types it on the portal)",
    "exposed_categories": "The categories of the person's data exposed in this incident, one per line",
    "national_id_name": (
        "What the person's national identity or tax number is called where they live "
        "(a Social Security number in the US, a PAN in India, a KRA PIN in Kenya…)"
    ),
    "check_url": "The portal page where the person checks what was exposed",
    "portal_url": "The portal's address",
    "incident_title": "The incident's title",
    "contact_email": "The incident's contact email address",
    "contact_phone": "The incident's contact phone number",
    "claim_deadline": "The last day to file a claim (blank if none is set)",
    "enrollment_deadline": "The last day to enroll in monitoring (blank if none is set)",
    # Who we are (the staff area's "Who we are" page; portal/trust/organisation.py).
    "organisation_name": "The legal name of the organisation running the portal",
    "official_senders": "The email addresses our messages come from",
    "help_desk_phones": "The help desk's phone numbers, with country and hours",
    "letters_from": "The postal address our letters come from, on one line",
    "claims_administrator": "The claims administrator, if there is one",
    "verify_message_url": "The public page where anyone checks whether a message is really from us",
}
# Shown as links in the HTML part when written on their own (not already inside a Markdown link).
URL_PLACEHOLDERS = ("check_url", "portal_url", "verify_message_url")

# Innermost pair only, so "(((portal_url)))" reads as "(" + placeholder + ")".
PLACEHOLDER_RE = re.compile(r"\(\(([^()]*)\)\)")
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
ORDERED_NAMES = tuple(PLACEHOLDERS)
# Letters and digits only, so neither Markdown nor bleach touches a token.
TOKEN_RE = re.compile(r"XQPH(\d+)QX")


def token_for(name: str) -> str:
    return f"XQPH{ORDERED_NAMES.index(name)}QX"


def tokenize(text: str, link_urls: bool) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        token = token_for(name)
        if link_urls and name in URL_PLACEHOLDERS:
            before = text[max(0, match.start() - 2) : match.start()]
            if not before.endswith(("](", "[", "<")):
                return f"[{token}]({token})"
        return token

    return PLACEHOLDER_RE.sub(replace, text)


def markdown_to_text(source: str) -> str:
    lines = []
    for line in source.splitlines():
        heading = re.match(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        lines.append(heading.group(1) if heading else line)
    text = "\n".join(lines)
    text = re.sub(
        r"\[([^\]]+)\]\(([^)\s]+)\)",
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})",
        text,
    )
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return text.strip() + "\n"


def markdown_to_html(source: str) -> str:
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    return bleach.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=["https", "http", "mailto", "tel"], strip=True
    )
