"""The Jinja2 environment for the HTML reports: templates from this package, autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader.grading.reports.common import points_text
from grader.results import Status

TEMPLATES = Path(__file__).parent / "templates"


def _chip_class(status) -> str:
    status = Status(status)
    return ("error" if status == Status.GRADER_ERROR else status.value).replace(" ", "-")


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
    env.filters["label"] = lambda status: Status(status).value
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
