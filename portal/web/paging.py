"""The ``?page=`` of a staff list: a page that cannot exist is a 404, never a database error.

``?page=99999999999999999999999`` used to reach the database as an OFFSET no integer column
holds, and the list answered 500.
"""

from flask import abort, request

# Fifty rows a page: five million rows. No list here is longer, and an OFFSET this size is cheap.
MAX_PAGE = 100_000


def page_number() -> int:
    """The requested page, from 1; a 404 for anything that is not a page number in range."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or len(raw) > len(str(MAX_PAGE)) or not 1 <= int(raw) <= MAX_PAGE:
        abort(404)
    return int(raw)


def check_page_exists(page: int, pages: int) -> None:
    """Past the last page is a 404 (page 1 of an empty list is not)."""
    if page > max(pages, 1):
        abort(404)
