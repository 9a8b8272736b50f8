"""Register cells with a control character, named by file, line and column."""

import re

# NUL, line breaks, tabs and every other C0 control (and DEL): a NUL makes PostgreSQL refuse the row,
# and a line break in a name reaches email headers. Only the free-text columns below may hold a
# line break or a tab (an address written on two lines in one cell, a multi-line detail).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MULTI_LINE_COLUMNS = frozenset({"address_line1", "address_line2", "detail"})


def control_character_problems(label: str, line: int, names: list[str], cells: list[str]) -> list[str]:
    """One problem per cell holding a control character; [] for a clean row (the usual, one search)."""
    if not _CONTROL.search("".join(cells)):
        return []
    return [
        f"{label} line {line}: {name}: contains a control character (a NUL byte, a line break, a tab "
        "or another invisible character); remove it"
        for name, cell in zip(names, cells, strict=False)
        if (_CONTROL_BUT_LINES if name in MULTI_LINE_COLUMNS else _CONTROL).search(cell)
    ]
