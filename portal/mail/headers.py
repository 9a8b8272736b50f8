"""Text that ends up in a mail header (a subject, a recipient's name) is one line, with no controls.

A line break in an imported name reached email subjects and SendGrid's ``to.name``: in a header
it starts a new header (``Bcc:``), and other controls make providers refuse or mangle the mail.
Imports and forms refuse such characters now; this is the last guard, for rows stored before.
"""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` with every control character (line breaks included) made a space, spaces collapsed."""
    if not _CONTROL.search(text):
        return text
    return " ".join(_CONTROL.sub(" ", text).split())
