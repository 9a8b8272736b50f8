import hashlib
import os

import pytest

from portal.crypto import DecryptionError
from portal.legal import storage
from portal.legal.storage import EncryptedExportWriter, iter_decrypted


def write(path, job_id, data: bytes, pieces=7):
    writer = EncryptedExportWriter(path, job_id)
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        writer.write(data[start : start + step])
    writer.close()
    return writer


SEGMENT = storage.SEGMENT_BYTES


@pytest.mark.parametrize("size", [0, 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 5])
def test_round_trip_in_segments_with_the_plaintext_hash(app_ctx, tmp_path, size):
    data = os.urandom(size)
    writer = write(tmp_path / "f.epx", 7, data)
    assert writer.sha256 == hashlib.sha256(data).hexdigest() and writer.plain_bytes == size
    assert b"".join(iter_decrypted(tmp_path / "f.epx", 7)) == data


def test_a_file_read_as_another_export_does_not_decrypt(app_ctx, tmp_path):
    write(tmp_path / "f.epx", 7, b"claimants")
    with pytest.raises(DecryptionError):
        b"".join(iter_decrypted(tmp_path / "f.epx", 8))


def test_a_file_cut_short_after_a_segment_is_detected(app_ctx, tmp_path):
    path = tmp_path / "f.epx"
    write(path, 7, os.urandom(2 * storage.SEGMENT_BYTES + 10))
    whole = path.read_bytes()
    header = 4 + 1 + whole[4]
    first_segment = header + 4 + int.from_bytes(whole[header : header + 4], "big") + 12
    path.write_bytes(whole[:first_segment])  # only the first (not last) segment left
    with pytest.raises(DecryptionError):
        b"".join(iter_decrypted(path, 7))


def test_a_flipped_bit_is_detected(app_ctx, tmp_path):
    path = tmp_path / "f.epx"
    write(path, 7, b"x" * 1000)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(DecryptionError):
        b"".join(iter_decrypted(path, 7))
