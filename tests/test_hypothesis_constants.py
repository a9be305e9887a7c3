"""The cases a seed draws do not depend on the framework's own source (see grader/hypothesis_constants.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
import grader.plugin  # noqa: F401 - installs the wrapper, as pytest does when it loads the plugin

COMPARE = str(Path(grader.__file__).resolve().parent / "compare.py")


def test_framework_modules_are_not_local_to_hypothesis():
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import is_local_module_file as hypothesis_own

    if not hypothesis_own(COMPARE):
        pytest.skip("the framework is installed in site-packages here: Hypothesis never took its constants")
    assert providers.is_local_module_file(COMPARE) is False


def test_a_course_module_still_counts(tmp_path):
    from hypothesis.internal.conjecture import providers

    module = tmp_path / "course" / "solutions" / "01_scale" / "scale.py"
    module.parent.mkdir(parents=True)
    module.write_text("FACTOR = 12345\n")
    assert providers.is_local_module_file(str(module)) is True


def test_wrapping_twice_wraps_once():
    from hypothesis.internal.conjecture import providers

    from grader.hypothesis_constants import keep_framework_constants_out

    before = providers.is_local_module_file
    assert keep_framework_constants_out() is True
    assert providers.is_local_module_file is before
