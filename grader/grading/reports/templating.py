"""The Jinja2 environment for the HTML reports: templates from this package, autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader.grading.reports.common import STATUS_LABEL, points_text

TEMPLATES = Path(__file__).parent / "templates"


def _chip_class(status) -> str:
    return STATUS_LABEL.get(status, str(status)).replace(" ", "-")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value shown comes from a student's code or a test message
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["points"] = points_text
    env.filters["chip"] = _chip_class
    env.filters["label"] = lambda status: STATUS_LABEL.get(status, str(status))
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
