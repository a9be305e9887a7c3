"""A broken course.yml is rejected with one message naming the file, the exercise and the field."""

from __future__ import annotations

import pytest
import yaml

from grader.course import CourseError, load_course
from tests.helpers import run_cli


def _edit(course, change):
    path = course / "course.yml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_fixture_course_loads(tiny):
    tree = load_course(tiny)
    assert [e.id for e in tree.manifest.exercises] == ["01_scale"]
    assert tree.manifest.max_points == 5


BROKEN = [
    ("unknown field", lambda d: d["exercises"][0].update(colour="blue"),
     ["exercise 01_scale", "'colour'", "unknown field"]),
    ("missing field", lambda d: d["exercises"][0]["functions"][0].pop("points"),
     ["exercise 01_scale", "function double", "'points'", "Field required"]),
    ("wrong type", lambda d: d["exercises"][0]["functions"][1].update(points="three"),
     ["function flip_hw", "'points'", "'three'"]),
    ("duplicate id", lambda d: d["exercises"].append(dict(d["exercises"][0])),
     ["'01_scale' is listed twice"]),
    ("missing folder", lambda d: d["exercises"][0].update(id="02_missing"),
     ["exercise 02_missing", "exercises/02_missing/ does not exist"]),
    ("function not in stub", lambda d: d["exercises"][0]["functions"].append(
        {"name": "triple", "points": 1, "hints": ["x", "y"]}),
     ["exercise 01_scale", "function triple", "scale.py does not define it"]),
    ("empty hint", lambda d: d["exercises"][0]["functions"][0].update(hints=[" "]),
     ["function double", "'hints'", "a hint tier is empty"]),
    ("bad device", lambda d: d["exercises"][0].update(devices=["tpu"]),
     ["exercise 01_scale", "'devices'"]),
]


@pytest.mark.parametrize("label, change, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_manifest_is_rejected_with_a_precise_message(tiny, label, change, expected):
    _edit(tiny, change)
    with pytest.raises(CourseError) as caught:
        load_course(tiny, stubs=True)
    message = str(caught.value)
    assert "course.yml" in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from: {message}"


def test_invalid_yaml_names_the_line(tiny):
    (tiny / "course.yml").write_text("format_version: 1\ntitle: [unclosed\n")
    with pytest.raises(CourseError, match=r"course.yml line \d+: not valid YAML"):
        load_course(tiny)


def test_the_cli_prints_one_message_not_a_traceback(tiny):
    _edit(tiny, lambda d: d["exercises"][0].update(colour="blue"))
    done = run_cli(tiny, "status")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "unknown field" in done.stderr and "01_scale" in done.stderr


def test_outside_a_course_the_message_says_so(tmp_path):
    done = run_cli(tmp_path, "status")
    assert done.returncode == 2
    assert "no course.yml found" in done.stderr


def test_a_learner_module_that_does_not_parse_is_not_a_course_error(tiny):
    module = tiny / "exercises" / "01_scale" / "scale.py"
    module.write_text("def double(x)\n    return x\n")
    assert load_course(tiny).manifest.exercises[0].id == "01_scale", "the learner's file is that exercise's problem"
    with pytest.raises(CourseError, match="scale.py line 1: the stub has a syntax error"):
        load_course(tiny, stubs=True)
