"""The roster: names and emails for grades.csv, and who is missing on either side."""

from __future__ import annotations

import pytest

from grader.grading.errors import GradingError
from grader.grading.roster import Person, load_roster, roster_gaps


def test_a_roster_with_one_name_column(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("Student ID,Name,Email\nada l,Ada King Lovelace,ada@example.org\nbob,Bob,\n\n")
    assert load_roster(path) == {"ada_l": Person("Ada King", "Lovelace", "ada@example.org"),
                                 "bob": Person("", "Bob", "")}


def test_a_roster_with_first_and_last_names(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffid,first_name,last_name,email\nzoe,Zoe,Doe,z@example.org\n")
    assert load_roster(path) == {"zoe": Person("Zoe", "Doe", "z@example.org")}


def test_a_file_that_is_not_a_roster_is_one_clear_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("who,when\nada,today\n")
    with pytest.raises(GradingError, match="roster.csv: no student id column"):
        load_roster(path)
    with pytest.raises(GradingError, match="cannot read the roster"):
        load_roster(tmp_path / "missing.csv")


def test_gaps_on_either_side_are_listed():
    roster = {"ada": Person(), "bob": Person()}
    assert roster_gaps(roster, ["ada", "eve"]) == (["eve"], ["bob"])
