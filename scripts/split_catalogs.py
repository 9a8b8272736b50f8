"""Take the contractor domain's messages out of the staff template.

`make translations` extracts two templates: ``contractor.pot`` (babel-contractor.cfg: what a
contractor reads) and ``messages.pot`` (babel.cfg: everything). A message in both belongs to the
contractor domain, whose catalogs every language must complete; the staff domain keeps the rest.
Both catalogs are loaded together (BABEL_DOMAIN), so a staff page that shares a string still finds it.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def split(staff_pot: Path, contractor_pot: Path) -> int:
    with contractor_pot.open("rb") as handle:
        contractor = {_key(message) for message in read_po(handle) if message.id}
    with staff_pot.open("rb") as handle:
        staff = read_po(handle)
    shared = [message.id for message in staff if message.id and _key(message) in contractor]
    for msgid in shared:
        del staff[msgid]
    with staff_pot.open("wb") as handle:
        write_po(handle, staff, width=120)
    return len(shared)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "portal/translations")
    moved = split(root / "messages.pot", root / "contractor.pot")
    print(f"{moved} messages belong to the contractor domain")
