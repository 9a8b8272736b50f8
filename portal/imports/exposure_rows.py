"""The rules for one row of ``exposures.csv`` (the shared rules are in validation.py)."""

from datetime import date

from portal.imports.validation import (
    EXPOSURE_COLUMNS,
    MAX_CONTRACTOR_ID,
    MAX_DETAIL,
    MAX_REMEMBERED_VALUES,
    ErrorLog,
    control_character_problems,
    parse_iso_date,
    shown,
)


class ExposureRowChecker:
    """Checks one ``exposures.csv`` row. Keeps per-person state only (a bitmask of categories seen)."""

    def __init__(
        self,
        label: str,
        header: list[str],
        errors: ErrorLog,
        today: date,
        categories: frozenset[str],
        person_ids: dict[str, int],
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
        self.person_ids = person_ids
        self.or_people = f" or in {people_label}" if people_label else ""
        self.seen: dict[int, int] = {}  # person id → bitmask of the categories already given for them
        self.good_dates: set[str] = set()  # exposed_at values already checked (a register has few distinct ones)
        self.trust_unknown_contractors = False

    def _problem(self, line: int, column: str, problem: str) -> None:
        self.errors.add(f"{self.label} line {line}: {column}: {problem}")

    def check(self, line: int, cells: list[str]) -> tuple[int, str, str, str | None] | None:
        """(person id, category, detail, exposed_at as YYYY-MM-DD or None), or None after reporting problems.

        This runs a million times for a large register, so a good row takes a short path of dict
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
            if (
                person_id is not None
                and bit is not None
                and len(detail) <= MAX_DETAIL
                and (not exposed_at or exposed_at in self.good_dates)
            ):
                mask = self.seen.get(person_id, 0)
                if not mask & bit:
                    self.seen[person_id] = mask | bit
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
            mask = self.seen.get(person_id, 0)
            if mask & bit:
                self._problem(line, "category", f"{category!r} is given more than once for this contractor")
            self.seen[person_id] = mask | bit
        if len(detail) > MAX_DETAIL:
            self._problem(line, "detail", f"is longer than {MAX_DETAIL} characters")
        if exposed_at:
            self._check_exposed_at(line, exposed_at)
        if self.errors.count > before:
            return None
        return person_id, category, detail, exposed_at or None

    def _person_id(self, line: int, contractor_id: str) -> int | None:
        person_id = self.person_ids.get(contractor_id)
        if person_id is None and contractor_id and self.trust_unknown_contractors:
            person_id = self.person_ids[contractor_id] = -len(self.person_ids) - 1  # a stand-in: nothing is written
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
