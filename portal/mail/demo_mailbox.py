"""The demo's mailboxes: in development, every mail the outbox keeps is also written to a file
per recipient under ``<instance>/mailbox/``.

The staff outbox masks notice codes (only the person a code was mailed to may read it), so a
newcomer trying "I lost my code" on the demo needs the recipient's side of the mail: this is it,
like a file-based mail backend. Only the development configuration turns it on; production and
the tests never write it.
"""

import re
from pathlib import Path

from flask import current_app

from portal.core.time import utcnow

_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]")


def mailbox_folder() -> Path:
    return Path(current_app.instance_path) / "mailbox"


def mailbox_path(address: str) -> Path:
    return mailbox_folder() / f"{_UNSAFE.sub('_', address.strip().lower())}.txt"


def deliver_to_demo_mailbox(to_address: str, subject: str, body_text: str) -> None:
    """Append the mail to its recipient's mailbox file when the configuration asks for it."""
    if not current_app.config.get("DEMO_MAILBOX") or not to_address:
        return
    path = mailbox_path(to_address)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = utcnow().isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as mailbox:
        mailbox.write(f"From portal {stamp}\nTo: {to_address}\nSubject: {subject}\n\n{body_text.rstrip()}\n\n")
