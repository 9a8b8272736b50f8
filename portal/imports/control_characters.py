"""Register cells with a control character, named by file, line and column."""

import re

# NUL, line breaks, tabs and every other C0 control (and DEL): nothing in a register needs one, a
# NUL makes PostgreSQL refuse the row, and a line break in a name reaches email headers.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def control_character_problems(label: str, line: int, names: list[str], cells: list[str]) -> list[str]:
    """One problem per cell holding a control character; [] for a clean row (the usual, one search)."""
    if not _CONTROL.search("".join(cells)):
        return []
    return [
        f"{label} line {line}: {name}: contains a control character (a NUL byte, a line break, a tab "
        "or another invisible character); remove it"
        for name, cell in zip(names, cells, strict=False)
        if _CONTROL.search(cell)
    ]
