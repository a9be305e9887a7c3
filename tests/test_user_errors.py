"""Errors a user causes are one line and exit 2; the framework's own bugs keep their traceback."""

from __future__ import annotations

import argparse
import shutil

import pytest

from grader import cli
from grader.course import load_course
from grader.errors import UserError
from grader.manifest import Course, UnknownName
from tests.helpers import run_cli


def _course_with_ids(tiny, *ids: str) -> Course:
    data = load_course(tiny).manifest.model_dump(mode="json")
    template = data["exercises"][0]
    data["exercises"] = [{**template, "id": exercise_id} for exercise_id in ids]
    return Course.model_validate(data)


def test_an_id_that_fits_several_exercises_is_ambiguous_and_names_them(tiny):
    course = _course_with_ids(tiny, "01_scale", "10_blur", "11_sharpen")
    with pytest.raises(UnknownName) as raised:
        course.exercise("1")
    assert str(raised.value) == "exercise '1' is ambiguous: it could be 10_blur, 11_sharpen; give more of the id"
    assert course.exercise("10").id == "10_blur"            # a unique prefix
    assert course.exercise("01_scale").id == "01_scale"     # the exact id
    assert course.exercise("sharpen").id == "11_sharpen"    # the topic
    with pytest.raises(UnknownName, match="no exercise '2' in the course; it has 01_scale, 10_blur, 11_sharpen"):
        course.exercise("2")


def _main_running(monkeypatch, error: Exception):
    def run(_args):
        raise error

    parser = argparse.ArgumentParser()
    parser.set_defaults(run=run)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    return cli.main([])


def test_a_user_error_is_one_message_and_exit_2(monkeypatch, capsys):
    assert _main_running(monkeypatch, UserError("course.yml: fix this")) == 2
    assert capsys.readouterr().err.strip() == "tensorlings: course.yml: fix this"


def test_a_key_error_of_the_framework_is_not_hidden_as_a_user_message(monkeypatch):
    with pytest.raises(KeyError, match="uid_base"):
        _main_running(monkeypatch, KeyError("uid_base"))


def test_an_unknown_exercise_on_the_command_line_exits_2(tiny):
    done = run_cli(tiny, "hint", "1")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "tensorlings: no exercise '1' in the course; it has 01_scale"


def test_validate_with_nothing_to_validate_against_exits_2_with_one_line(tiny):
    shutil.rmtree(tiny / "solutions")
    done = run_cli(tiny, "validate")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "there is no solutions/ folder and no recorded cases" in done.stderr
