"""Hand-built PDFs for the upload tests: a real one-page document, and crafted ones that hide actions.

Written byte by byte (offsets, cross-reference table or stream) so a test controls exactly where
an object sits: in the file body, or compressed in an object stream under a filter of its choice.
"""

import base64
import binascii
import zlib

PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R %s>>"


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return dictionary[:-2] + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _encode(data: bytes, filters: tuple[str, ...]) -> bytes:
    """``data`` encoded so that decoding with ``filters`` (in order) gives it back."""
    for name in reversed(filters):
        if name == "FlateDecode":
            data = zlib.compress(data)
        elif name == "ASCIIHexDecode":
            data = binascii.hexlify(data) + b">"
        elif name == "ASCII85Decode":
            data = base64.a85encode(data) + b"~>"
        else:
            raise ValueError(name)
    return data


def build_pdf(
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    extra_objects: dict[int, bytes] | None = None,
    content: bytes = b"0 0 m 100 100 l S",
    compress: tuple[int, ...] = (),
    filters: tuple[str, ...] = ("FlateDecode",),
    trailer_extra: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    """A one-page PDF. ``catalog_extra`` goes into the catalog (object 1), ``page_extra`` into the page
    (object 3), ``extra_objects`` are
    numbered from 5; those listed in ``compress`` (the catalog too, if 1 is listed) are written
    inside an object stream encoded with ``filters``, found through a cross-reference stream."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>", 2: PAGES, 3: PAGE % page_extra}
    objects[4] = _stream(b"<< >>", content)
    objects.update(extra_objects or {})
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(objects.items()):
        if number not in compress:
            offsets[number] = len(out)
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if not compress:
        xref = len(out)
        size = max(objects) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R " % size + trailer_extra + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out) + tail
    # An object stream with the compressed objects, and a cross-reference stream pointing into it.
    stream_number = max(objects) + 1
    header, bodies = b"", b""
    for number in compress:
        header += b"%d %d " % (number, len(bodies))
        bodies += objects[number] + b"\n"
    encoded = _encode(header + bodies, filters)
    names = b"[" + b" ".join(b"/" + name.encode() for name in filters) + b"]"
    offsets[stream_number] = len(out)
    objstm = b"<< /Type /ObjStm /N %d /First %d /Filter %s >>" % (len(compress), len(header), names)
    out += b"%d 0 obj\n" % stream_number + _stream(objstm, encoded) + b"\nendobj\n"
    xref_number = stream_number + 1
    offsets[xref_number] = len(out)
    rows = b"\x00\x00\x00\x00\x00\xff\xff"
    for number in range(1, xref_number + 1):
        if number in compress:
            rows += b"\x02" + stream_number.to_bytes(4, "big") + compress.index(number).to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
    xref_dict = b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R " % (xref_number + 1) + trailer_extra + b">>"
    out += b"%d 0 obj\n" % xref_number + _stream(xref_dict, rows) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out) + tail
