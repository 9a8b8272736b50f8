"""Reading a register file once, as a stream of CSV rows with their line numbers.

The file is read through a counting layer that hashes every byte (the SHA-256 goes into the
audit event) and reports progress, so nothing reads the file twice on the happy path and
nothing holds more than one buffer of it in memory.
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from portal.imports.validation import ErrorLog

READ_BUFFER = 1 << 16


class _CountingReader(io.RawIOBase):
    """Passes bytes through, hashing them and telling ``progress`` how many went by."""

    def __init__(self, raw, digest, progress: Callable[[int], None] | None) -> None:
        super().__init__()
        self.raw = raw
        self.digest = digest
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.raw.readinto(buffer)
        if count:
            self.digest.update(memoryview(buffer)[:count])
            if self.progress is not None:
                self.progress(count)
        return count


class CsvSource:
    """One register file, opened as a context manager: ``header`` (None if unreadable), then ``chunks()``.

    Encoding and CSV-syntax problems end the file with one error naming the line; an empty file
    or one with a header and no rows is an error too.
    """

    def __init__(self, path: Path, errors: ErrorLog, progress: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.label = path.name
        self.errors = errors
        self.progress = progress
        self.header: list[str] | None = None
        self.header_line = 1
        self.row_count = 0
        self.complete = False  # True once every row has been read without an encoding or CSV error
        self._digest = hashlib.sha256()
        self._file = None
        self._reader = None

    @property
    def sha256(self) -> str:
        """Of every byte read so far: the whole file once ``chunks()`` has been read to the end."""
        return self._digest.hexdigest()

    def __enter__(self) -> "CsvSource":
        self._file = self.path.open("rb", buffering=0)
        counting = _CountingReader(self._file, self._digest, self.progress)
        # utf-8-sig: spreadsheet programs often start a UTF-8 file with a byte-order mark.
        text = io.TextIOWrapper(io.BufferedReader(counting, READ_BUFFER), encoding="utf-8-sig", newline="")
        self._reader = csv.reader(text, strict=True)
        with self._reporting_problems():
            self.header = self._read_header()
        return self

    def __exit__(self, *exc_info) -> None:
        self._file.close()

    def chunks(self, size: int) -> Iterator[list[tuple[int, list[str]]]]:
        """Lists of up to ``size`` ``(line number where the record starts, cells)``, blank rows skipped.

        The importer checks a chunk at once (a chunk's contractor ids are looked up in one query),
        so a read problem is reported after the rows before it have been checked: the problem
        list stays in the order of the file.
        """
        if self.header is None:
            return
        reader = self._reader
        last_line = reader.line_num
        chunk: list[tuple[int, list[str]]] = []
        problem = None
        try:
            for cells in reader:
                line = last_line + 1  # a quoted field can span lines: report where the record starts
                last_line = reader.line_num
                if cells and (cells[0] or any(cells)):  # skip blank lines and rows of empty cells
                    self.row_count += 1
                    chunk.append((line, cells))
                    if len(chunk) >= size:
                        yield chunk
                        chunk = []
        except (UnicodeDecodeError, csv.Error) as exc:
            problem = self._read_problem(exc)
        if chunk:
            yield chunk
        if problem is not None:
            self.errors.add(problem)
            return
        if self.row_count == 0:
            self.errors.add(f"{self.label}: the file has a header row but no data rows")
        self.complete = True

    def _read_header(self) -> list[str] | None:
        header = next(self._reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(self._reader, None)
        if header is None:
            self.errors.add(f"{self.label}: the file is empty")
            return None
        self.header_line = self._reader.line_num
        return header

    @contextmanager
    def _reporting_problems(self):
        try:
            yield
        except (UnicodeDecodeError, csv.Error) as exc:
            self.errors.add(self._read_problem(exc))

    def _read_problem(self, exc: UnicodeDecodeError | csv.Error) -> str:
        if isinstance(exc, UnicodeDecodeError):
            return (
                f"{self.label} line {self._first_undecodable_line()}: the file is not valid UTF-8 "
                "(save it as “CSV UTF-8”)"
            )
        return f"{self.label} line {self._reader.line_num}: the file is not valid CSV ({exc})"

    def _first_undecodable_line(self) -> int:
        """The decoder works a buffer at a time, so find the exact line on a second, rare, pass."""
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    return number
        return 1
