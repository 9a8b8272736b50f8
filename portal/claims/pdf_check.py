"""A proof PDF, judged by a real PDF parser and stored as that parser rewrote it.

pypdf reads the file the way a viewer does: the cross-reference tables and streams, object
streams under any standard filter (Flate, LZW, ASCIIHex, ASCII85, RunLength, and chains of
them), each decoded within pypdf's output limits so a small file cannot unpack to gigabytes. Every
object is then walked: an action other than going to a page of the same document (JavaScript,
Launch, URI, SubmitForm, ImportData, GoToR…), an automatic action (/AA), JavaScript in the name
tree, an embedded or attached file, rich media or an XFA form refuses the file. A document that
passes is written out again by pypdf, so legal open exactly the objects that were judged: nothing
appended after the end, no second cross-reference table that another reader might prefer.
"""

import io
import logging

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

log = logging.getLogger(__name__)

# The only action a proof may carry: go to a page of itself (a table of contents, a bookmark).
SAFE_ACTIONS = frozenset({"/GoTo"})
# Keys that mean active content or a file inside the file, wherever they appear.
REFUSED_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent", "/XFA"}
)
# Where an action sits: a link's or outline item's /A, the document's /OpenAction, an action's /Next.
ACTION_KEYS = frozenset({"/A", "/OpenAction", "/Next"})
REFUSED_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Screen", "/Sound", "/Movie"})
# A proof is a few pages; a file with more objects than this is not one, and walking it costs.
MAX_OBJECTS = 200_000


class PdfRefused(ValueError):
    """``reason`` is "active" (actions, scripts, files inside), "encrypted" or "damaged"."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


MESSAGES = {
    "active": _l(
        "The selected PDF contains links, scripts, actions or attached files, so it cannot be accepted. "
        "Print it to a new PDF, or send a photo or scan of it"
    ),
    "encrypted": _l("The selected PDF is protected by a password. Upload a copy without a password"),
    "damaged": _l("The selected PDF is damaged or incomplete. Save it again and upload the new copy"),
}


def _walk(reader: PdfReader) -> None:
    """Every object the file defines (reachable or not, in object streams or not), and everything
    reachable from the trailer; raise PdfRefused("active") at the first active part."""
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending.extend(IndirectObject(number, generation, reader) for number in numbers)
    pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise PdfRefused("damaged", "too many objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject | StreamObject):
            _judge_dictionary(item)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _judge_dictionary(dictionary: DictionaryObject) -> None:
    keys = {str(key) for key in dictionary}
    refused = keys & REFUSED_KEYS
    if refused:
        raise PdfRefused("active", sorted(refused)[0])
    if str(dictionary.get("/Type", "")) == "/Action":
        _judge_action(dictionary)
    for key in ACTION_KEYS & keys:
        value = dictionary[key].get_object()
        if key == "/OpenAction" and isinstance(value, ArrayObject):
            continue  # a destination (open at this page), not an action
        for action in value if isinstance(value, ArrayObject) else [value]:  # /Next may list several
            action = action.get_object()
            if isinstance(action, DictionaryObject):
                _judge_action(action)
    for name in ("/Type", "/Subtype"):
        if str(dictionary.get(name, "")) in REFUSED_TYPES:
            raise PdfRefused("active", str(dictionary[name]))


def _judge_action(action: DictionaryObject) -> None:
    kind = str(action.get("/S", ""))
    if kind not in SAFE_ACTIONS:
        raise PdfRefused("active", kind or "action")


def check_pdf(data: bytes) -> bytes:
    """The PDF as pypdf rewrote it, or PdfRefused with the reason."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRefused("encrypted")
        _walk(reader)
        if len(reader.pages) == 0:
            raise PdfRefused("damaged", "no pages")
        out = io.BytesIO()
        PdfWriter(clone_from=reader).write(out)
    except PdfRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        log.info("proof PDF refused as unreadable: %s", type(exc).__name__)
        raise PdfRefused("damaged", type(exc).__name__) from exc
    return out.getvalue()
