"""Make the English catalog complete: every msgid gets itself as its translation.

The source strings are English, so English needs no translator, but a complete catalog lets the
suite check that nothing user-facing escaped extraction (tests/core/test_i18n.py). Run by
`make translations` after `pybabel update`.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def complete(po_path: Path) -> int:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False)
    return filled


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "portal/translations/en/LC_MESSAGES/messages.po")
    print(f"{complete(target)} English messages filled in {target}")
