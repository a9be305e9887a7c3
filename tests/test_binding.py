"""Every fixture binding looks functions up the same way (grader.binding.Binding)."""

from types import SimpleNamespace

import pytest

from grader.binding import Binding


class Counting(Binding):
    def __init__(self) -> None:
        self.exercise = SimpleNamespace(id="01_x", functions=[SimpleNamespace(name="double")])
        self.made = 0

    def _bind(self, name):
        self.made += 1
        return f"bound {name}"


def test_a_function_is_bound_once_and_other_names_are_refused_by_name():
    binding = Counting()
    assert binding.double == "bound double" and binding.double == "bound double"
    assert binding.made == 1
    with pytest.raises(AttributeError, match="01_x has no function 'triple' in course.yml"):
        binding.triple  # noqa: B018
    with pytest.raises(AttributeError):
        binding._private  # noqa: B018


def test_a_binding_half_made_does_not_recurse():
    binding = Counting.__new__(Counting)
    with pytest.raises(AttributeError):
        binding.double  # noqa: B018
