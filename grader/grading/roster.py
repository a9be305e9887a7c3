"""The class roster (``--roster CSV``): each student's name and email, for ``grades.csv``.

A roster is a CSV with a header row naming a student id column (``student_id``, ``id``,
``username`` or ``student``), a name (``name``, or ``first_name`` and ``last_name``) and
``email``. Ids are matched after the same sanitising as submission folder names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.grading.errors import GradingError
from grader.grading.intake import student_name

_ID_COLUMNS = ("student_id", "id", "username", "student")
# A roster is a class list: a few thousand rows at most.
ROSTER_MAX_BYTES = 16 << 20


@dataclass(frozen=True)
class Person:
    first_name: str = ""
    last_name: str = ""
    email: str = ""


def load_roster(path: Path) -> dict[str, Person]:
    """``{student id: Person}`` from a roster CSV; one clear error for a file that is not one."""
    try:
        if path.stat().st_size > ROSTER_MAX_BYTES:
            raise GradingError(f"{path}: larger than {ROSTER_MAX_BYTES >> 20} MiB; is it the class roster?")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise GradingError(f"{path}: cannot read the roster ({error}). Give a UTF-8 CSV file") from None
    reader = csv.DictReader(text.splitlines())
    rows = list(reader)
    header = {re.sub(r"[\s-]+", "_", (name or "").strip().lower()): name for name in reader.fieldnames or []}
    id_column = next((header[c] for c in _ID_COLUMNS if c in header), None)
    if id_column is None:
        raise GradingError(f"{path}: no student id column. The roster's first row must name one of "
                           f"{', '.join(_ID_COLUMNS)}, and may name name (or first_name, last_name) and email")
    roster: dict[str, Person] = {}
    for row in rows:
        raw = (row.get(id_column) or "").strip()
        if not raw:
            continue
        first = _cell(row, header, "first_name")
        last = _cell(row, header, "last_name")
        if not (first or last) and _cell(row, header, "name"):
            *given, family = _cell(row, header, "name").split()
            first, last = " ".join(given), family
        roster[student_name(raw)] = Person(first, last, _cell(row, header, "email"))
    return roster


def _cell(row: dict, header: dict[str, str], column: str) -> str:
    return (row.get(header[column]) or "").strip() if column in header else ""


def roster_gaps(roster: dict[str, Person], students: Iterable[str]) -> tuple[list[str], list[str]]:
    """Students with a submission but not on the roster, and roster entries with no submission."""
    students = set(students)
    return sorted(students - roster.keys()), sorted(roster.keys() - students)
