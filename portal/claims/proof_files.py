"""Proof files at rest: AES-GCM under the field-encryption key ring, like exports and letter files.

Files live in UPLOAD_FOLDER (default ``<instance>/uploads``), outside ``static/``, under random
names, each sealed whole (a proof is at most a few megabytes) with the associated data
``proof:<name>``, so a file copied over another's name does not decrypt. They are decrypted only
to be sent, as an attachment, to legal reviewing the claim (audited) or to the claimant who
uploaded them while the claim can still change.

Layout: ``EPP1`` | key id length (1 byte) | key id | nonce (12) | ciphertext and tag. A file
without the magic was stored before encryption at rest and is read as it is.
"""

import contextlib
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from flask import current_app

from portal.crypto import DecryptionError, crypto

MAGIC = b"EPP1"
_STORED_NAME = re.compile(r"[0-9a-f]{32}")


def upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER") or str(Path(current_app.instance_path) / "uploads")
    folder = Path(configured)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def proof_aad(stored_name: str) -> bytes:
    return f"proof:{stored_name}".encode()


def _seal(data: bytes, stored_name: str) -> bytes:
    cipher = crypto().cipher
    kid = cipher.current_kid
    nonce = secrets.token_bytes(12)
    sealed = cipher.ring[kid].encrypt(nonce, data, proof_aad(stored_name))
    return MAGIC + bytes([len(kid)]) + kid.encode() + nonce + sealed


def _open(raw: bytes, stored_name: str) -> bytes:
    if not raw.startswith(MAGIC):
        return raw  # stored before proofs were encrypted
    length = raw[4]
    kid = raw[5 : 5 + length].decode()
    aead = crypto().cipher.ring.get(kid)
    if aead is None:
        raise DecryptionError(f"no key with id {kid!r} in the key ring")
    body = raw[5 + length :]
    try:
        return aead.decrypt(body[:12], body[12:], proof_aad(stored_name))
    except InvalidTag as exc:
        raise DecryptionError(f"proof file {stored_name} does not authenticate") from exc


def store_file(data: bytes) -> str:
    """Encrypt and write the file under a new random name; return the name. Written whole or not at all."""
    name = secrets.token_hex(16)
    folder = upload_folder()
    temporary = folder / f".{name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(_seal(data, name))
    os.replace(temporary, folder / name)
    return name


def stored_path(stored_name: str) -> Path:
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored upload name")
    return upload_folder() / stored_name


def read_stored(stored_name: str) -> bytes:
    """The file's plaintext. FileNotFoundError or ValueError if there is no such file;
    DecryptionError if it was tampered with or its key is gone."""
    return _open(stored_path(stored_name).read_bytes(), stored_name)


def delete_stored(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        stored_path(stored_name).unlink()
