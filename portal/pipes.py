"""Framed messages over the pipes between a process and the helper processes it starts
(the claimant-export workers, the sender's posting process)."""

import os
import pickle
import struct

_LENGTH = struct.Struct(">I")


def read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, waiting for them; EOFError if the other end closed first."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_object(stream, value) -> None:
    """Send one picklable value. Only between our own processes: pickle trusts its input."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_object(fd: int):
    """The next value ``write_object`` sent down ``fd``; EOFError if the writer has gone."""
    (size,) = _LENGTH.unpack(read_exact(fd, _LENGTH.size))
    return pickle.loads(read_exact(fd, size))  # noqa: S301 - written by our own process (write_object)
