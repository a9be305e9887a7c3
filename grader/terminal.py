"""Everything the terminal shows: colours with meaning, tables, one place."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from grader.results import CheckResult, FunctionResult, Status

STATUS_STYLE = {
    Status.PASSED: "bold green",
    Status.WRONG: "bold red",
    Status.ERROR: "bold red",
    Status.NOT_STARTED: "yellow",
    Status.SKIPPED: "dim",
    Status.GRADER_ERROR: "bold magenta",
}
ERROR_STYLE = "bold red"
WARNING_STYLE = "yellow"
DONE_STYLE = "green"


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)


def styled(status: Status) -> str:
    return f"[{STATUS_STYLE[status]}]{status.value}[/]"


def function_results(tree, results: list[CheckResult]) -> list[FunctionResult]:
    """Group check results by function, in course order when the manifest is known."""
    order: list[tuple[str, str, int]] = []
    if tree is not None:
        seen = {(r.exercise, r.function) for r in results}
        for exercise in tree.manifest.exercises:
            for function in exercise.functions:
                if (exercise.id, function.name) in seen:
                    order.append((exercise.id, function.name, function.points))
    else:
        order = list(dict.fromkeys((r.exercise, r.function, 0) for r in results))
    return [FunctionResult(e, f, p, [r for r in results if (r.exercise, r.function) == (e, f)]) for e, f, p in order]


def checks_passed(function: FunctionResult) -> str:
    """``3/3``, counting the checks that ran here; skipped ones are named with why (``1 skipped: needs a GPU``)."""
    ran = len(function.checks) - len(function.skipped)
    text = f"{function.passed}/{ran}"
    if function.skipped:
        reasons = sorted({skip_reason_short(check.skip_reason) for check in function.skipped})
        text += f" ({len(function.skipped)} skipped: {'; '.join(reasons)})"
    return text


def skip_reason_short(reason: str | None) -> str:
    if not reason:
        return "skipped"
    reason = reason.removeprefix("Skipped: ")
    return reason.split(";")[0].split(" and this machine")[0]


def print_function_table(tree, results: list[CheckResult], terminalreporter) -> None:
    """The per-function verdict at the end of a learner's pytest run."""
    table = Table(title="tensorlings", title_justify="left", show_edge=False)
    for column in ("exercise", "function", "checks passed", "result", "points"):
        table.add_column(column)
    for function in function_results(tree, results):
        table.add_row(
            function.exercise,
            function.function,
            checks_passed(function),
            styled(function.status),
            f"{function.points}/{function.max_points}",
        )
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=terminalreporter.hasmarkup, width=terminalreporter._tw.fullwidth,
            highlight=False).print(table)
    terminalreporter.write_line("")
    terminalreporter.write(buffer.getvalue())
