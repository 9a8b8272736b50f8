"""Export files at rest: AES-GCM in segments under instance/exports, never plaintext on disk.

AES-GCM in ``cryptography`` seals a whole message at once, which for a million-row export would
mean the whole file in memory. So the file is cut into 256 KiB segments, each sealed on its own
with a fresh nonce and the associated data ``export:<job id>:<segment number>:<last?>``: a segment
moved to another export, to another position, or a file cut short after a segment, all fail to
decrypt. The key is the field-encryption key current when the file was written; its id is in the
header, so key rotation does not strand older files.

Layout: ``EPX1`` | key id length (1 byte) | key id | then per segment: length (4 bytes, big-endian)
| nonce (12) | ciphertext and tag.
"""

import hashlib
import io
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

from portal.crypto import DecryptionError, crypto

MAGIC = b"EPX1"
SEGMENT_BYTES = 256 * 1024


def exports_folder() -> Path:
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def export_aad(job_id: int, segment: int, last: bool) -> bytes:
    return f"export:{job_id}:{segment}:{int(last)}".encode()


def new_file_name() -> str:
    return f"{secrets.token_hex(16)}.epx"


class EncryptedExportWriter(io.RawIOBase):
    """A write-only binary stream: buffers plaintext, seals full segments, hashes what it was given.

    ``sha256`` and ``plain_bytes`` describe the plaintext (what the recipient downloads), which is
    what the audit event and the manifest carry.
    """

    def __init__(self, path: Path, job_id: int):
        super().__init__()
        suite = crypto().cipher
        self._kid = suite.current_kid
        self._aead = suite.ring[self._kid]
        self._job_id = job_id
        self._segment = 0
        self._pending = bytearray()
        self._digest = hashlib.sha256()
        self.plain_bytes = 0
        self._handle = open(path, "xb")  # noqa: SIM115 - closed in close()
        self._handle.write(MAGIC + bytes([len(self._kid)]) + self._kid.encode())

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._digest.update(chunk)
        self.plain_bytes += len(chunk)
        self._pending += chunk
        while len(self._pending) > SEGMENT_BYTES:  # keep at least one byte back for the final segment
            self._seal(bytes(self._pending[:SEGMENT_BYTES]), last=False)
            del self._pending[:SEGMENT_BYTES]
        return len(chunk)

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, plain, export_aad(self._job_id, self._segment, last))
        self._handle.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self._segment += 1

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._pending), last=True)
            self._pending.clear()
            self._handle.close()
        super().close()

    def abandon(self) -> None:
        """Close without sealing the last segment (a failed export's file is deleted next)."""
        self._handle.close()
        super().close()


def iter_decrypted(path: Path, job_id: int) -> Iterator[bytes]:
    """The plaintext, a segment at a time. Raises DecryptionError on any tampering or truncation."""
    with open(path, "rb") as handle:
        if handle.read(4) != MAGIC:
            raise DecryptionError("not an export file")
        kid = handle.read(handle.read(1)[0]).decode()
        aead = crypto().cipher.ring.get(kid)
        if aead is None:
            raise DecryptionError(f"no key with id {kid!r} in the key ring")
        segment, pending = 0, None
        while True:
            header = handle.read(4)
            if not header:
                break
            body = handle.read(struct.unpack(">I", header)[0] + 12)
            if pending is not None:
                yield _open(aead, pending, job_id, segment - 1, last=False)
            pending = body
            segment += 1
        if pending is None:
            raise DecryptionError("export file is empty")
        yield _open(aead, pending, job_id, segment - 1, last=True)


def _open(aead, body: bytes, job_id: int, segment: int, last: bool) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return aead.decrypt(body[:12], body[12:], export_aad(job_id, segment, last))
    except InvalidTag as exc:
        raise DecryptionError(f"segment {segment} of export {job_id} does not authenticate") from exc
