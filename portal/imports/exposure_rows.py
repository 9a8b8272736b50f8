"""The rules for one row of ``exposures.csv`` (the shared rules are in validation.py)."""

from array import array
from collections.abc import Callable, Iterable
from datetime import date

from portal.imports.control_characters import control_character_problems
from portal.imports.validation import (
    EXPOSURE_COLUMNS,
    MAX_CONTRACTOR_ID,
    MAX_DETAIL,
    MAX_REMEMBERED_VALUES,
    ErrorLog,
    parse_iso_date,
    shown,
)

# Person ids up to this get their bitmask in an array (2 bytes each); any above, in a dict. Ids come
# from a sequence, so the array is about the register's size; the cap keeps a far-off id cheap.
MAX_DENSE_PERSON_ID = 1 << 24


class CategoriesSeen:
    """person id → bitmask of the categories already given for them, 2 bytes a person.

    Not a dict (about 100 bytes an entry): at a million people that was 100 MB. Positive ids are
    people on file, indexes into an array sized to the highest id; negative ones are stand-ins
    for people who were not written (``ExposureRowChecker``), in a second array grown as needed.
    """

    def __init__(self, highest_person_id: int) -> None:
        self.dense = array("H", bytes(2 * (min(highest_person_id, MAX_DENSE_PERSON_ID) + 1)))
        self.size = len(self.dense)
        self.stand_ins = array("H")
        self.sparse: dict[int, int] = {}

    def get(self, person_id: int) -> int:
        if 0 < person_id < self.size:
            return self.dense[person_id]
        if person_id < 0 and -person_id < len(self.stand_ins):
            return self.stand_ins[-person_id]
        return self.sparse.get(person_id, 0)

    def set(self, person_id: int, mask: int) -> None:
        if 0 < person_id < self.size:
            self.dense[person_id] = mask
        elif person_id < 0:
            if -person_id >= len(self.stand_ins):
                self.stand_ins.frombytes(bytes(2 * (-person_id + 1024 - len(self.stand_ins))))
            self.stand_ins[-person_id] = mask
        else:
            self.sparse[person_id] = mask


class ExposureRowChecker:
    """Checks ``exposures.csv`` rows a chunk at a time. Keeps 2 bytes a person (the categories seen).

    ``resolve`` takes a chunk's contractor ids and returns contractor id → person id for those it
    knows: people on file, and stand-in (negative) ids for people of this import who were not
    written. One query a chunk instead of a map of the whole register in memory.
    """

    def __init__(
        self,
        label: str,
        header: list[str],
        errors: ErrorLog,
        today: date,
        categories: frozenset[str],
        resolve: Callable[[Iterable[str]], dict[str, int]],
        highest_person_id: int,
        people_label: str,
    ) -> None:
        names = [name.strip().lower() for name in header]
        self.label = label
        self.errors = errors
        self.today = today
        self.width = len(names)
        self.positions = tuple(names.index(name) for name in EXPOSURE_COLUMNS)
        self.names = names
        self.category_bits = {code: 1 << bit for bit, code in enumerate(sorted(categories))}
        self.category_list = ", ".join(sorted(categories))
        self.resolve = resolve
        self.person_ids: dict[str, int] = {}  # the current chunk's
        self.or_people = f" or in {people_label}" if people_label else ""
        self.seen = CategoriesSeen(highest_person_id)
        self.good_dates: set[str] = set()  # exposed_at values already checked (a register has few distinct ones)

    def check_chunk(self, rows: list[tuple[int, list[str]]]) -> list[tuple[int, str, str, str | None]]:
        """The chunk's good rows as ``check`` returns them; problems reported in the order of the file."""
        at_contractor, width = self.positions[0], self.width
        wanted = {cells[at_contractor].strip() for _line, cells in rows if len(cells) == width}
        wanted.discard("")
        self.person_ids = self.resolve(wanted) if wanted else {}
        check = self.check
        return [exposure for line, cells in rows if (exposure := check(line, cells)) is not None]

    def _problem(self, line: int, column: str, problem: str) -> None:
        self.errors.add(f"{self.label} line {line}: {column}: {problem}")

    def check(self, line: int, cells: list[str]) -> tuple[int, str, str, str | None] | None:
        """(person id, category, detail, exposed_at as YYYY-MM-DD or None), or None after reporting problems.

        Called by ``check_chunk``, which has looked up the chunk's contractor ids. This runs a
        million times for a large register, so a good row takes a short path of dict and array
        look-ups; anything unusual (including a date not seen before) goes the long way.
        """
        controls = control_character_problems(self.label, line, self.names, cells)
        if controls:
            for problem in controls:
                self.errors.add(problem)
            return None
        if len(cells) == self.width:
            at_contractor, at_category, at_detail, at_exposed = self.positions
            person_id = self.person_ids.get(cells[at_contractor].strip())
            category = cells[at_category].strip()
            bit = self.category_bits.get(category)
            detail = cells[at_detail].strip()
            exposed_at = cells[at_exposed].strip()
            seen = self.seen
            if (
                person_id is not None
                and 0 < person_id < seen.size
                and bit is not None
                and len(detail) <= MAX_DETAIL
                and (not exposed_at or exposed_at in self.good_dates)
            ):
                mask = seen.dense[person_id]
                if not mask & bit:
                    seen.dense[person_id] = mask | bit
                    return person_id, category, detail, exposed_at or None
        return self._check_slowly(line, cells)

    def _check_slowly(self, line: int, cells: list[str]) -> tuple[int, str, str, str | None] | None:
        if len(cells) != self.width:
            self.errors.add(f"{self.label} line {line}: expected {self.width} fields, found {len(cells)}")
            return None
        contractor_id, category, detail, exposed_at = (cells[position].strip() for position in self.positions)
        before = self.errors.count
        person_id = self._person_id(line, contractor_id)
        bit = self.category_bits.get(category)
        if bit is None:
            problem = f"{shown(category, 32)} is not a known category ({self.category_list})"
            self._problem(line, "category", problem if category else "is empty")
        elif person_id is not None:
            mask = self.seen.get(person_id)
            if mask & bit:
                self._problem(line, "category", f"{category!r} is given more than once for this contractor")
            self.seen.set(person_id, mask | bit)
        if len(detail) > MAX_DETAIL:
            self._problem(line, "detail", f"is longer than {MAX_DETAIL} characters")
        if exposed_at:
            self._check_exposed_at(line, exposed_at)
        if self.errors.count > before:
            return None
        return person_id, category, detail, exposed_at or None

    def _person_id(self, line: int, contractor_id: str) -> int | None:
        person_id = self.person_ids.get(contractor_id)
        if person_id is None:
            if contractor_id:
                known = shown(contractor_id, MAX_CONTRACTOR_ID)
                self._problem(line, "contractor_id", f"{known} is not in the register{self.or_people}")
            else:
                self._problem(line, "contractor_id", "is empty")
        return person_id

    def _check_exposed_at(self, line: int, text: str) -> None:
        exposed = parse_iso_date(text)
        if exposed is None:
            self._problem(line, "exposed_at", f"{shown(text, 10)} is not a date in the form YYYY-MM-DD")
        elif exposed > self.today:
            self._problem(line, "exposed_at", f"{text!r} is in the future")
        elif len(self.good_dates) < MAX_REMEMBERED_VALUES:
            self.good_dates.add(text)
