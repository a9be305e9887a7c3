"""Drawing watch's screen from its state: the whole screen each time, as rustlings does."""

from __future__ import annotations

import io
import shutil

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.board import function_verdicts
from grader.results import FunctionResult, Status
from grader.terminal import checks_passed, styled

CLEAR = "\x1b[H\x1b[2J\x1b[3J"
SHOWN_FAILURE_LINES = 14
KEYS = "[bold]n[/] next exercise   [bold]h[/] hint   [bold]l[/] list   [bold]r[/] check again   [bold]q[/] quit"


def render(state, width: int | None = None) -> str:
    """The screen for ``state`` (a ``grader.watch.app.Watch``) as terminal text."""
    buffer = io.StringIO()
    width = width or shutil.get_terminal_size((100, 30)).columns
    out = Console(file=buffer, force_terminal=True, width=width, highlight=False, color_system="standard")
    if state.view == "list":
        _draw_list(out, state)
    else:
        _draw_exercise(out, state)
    out.print()
    if state.notice:
        out.print(state.notice)
    if state.checking:
        out.print(f"[yellow]checking {state.checking}...[/]")
    elif state.took is not None:
        out.print(f"[dim]checked in {state.took:.2f} s; save the file to check again[/]")
    out.print(KEYS)
    return CLEAR + buffer.getvalue().replace("\n", "\r\n")


def _draw_exercise(out: Console, state) -> None:
    exercise = state.exercise
    total = len(state.tree.manifest.exercises)
    out.print(f"[bold]tensorlings watch[/]  {exercise.id}: {escape(exercise.title)}  "
              f"[dim](exercise {state.index + 1} of {total})[/]")
    out.print(f"Edit [bold]exercises/{exercise.id}/{exercise.module}[/] and save: its checks run on every save.")
    out.print()
    verdicts = state.function_verdicts(exercise)
    table = Table(show_edge=False, box=None, padding=(0, 2))
    for column in ("function", "checks passed", "result"):
        table.add_column(column)
    for verdict in verdicts:
        table.add_row(verdict.function, checks_passed(verdict) if verdict.checks else "", styled(verdict.status))
    out.print(table)
    stuck = next((v for v in verdicts if v.status != Status.PASSED), None)
    if stuck is not None:
        _draw_problem(out, stuck)
        out.print(f"Stuck on {stuck.function}? Press [bold]h[/] or run "
                  f"[bold]tensorlings hint {exercise.id} {stuck.function}[/]")
    if state.hint:
        out.print()
        out.print(state.hint, markup=False)


def _draw_problem(out: Console, verdict: FunctionResult) -> None:
    problem = verdict.first_problem
    if problem is None or problem.failure is None:
        return
    lines = problem.failure.text().splitlines()
    shown = lines[:SHOWN_FAILURE_LINES]
    if len(lines) > len(shown):
        shown.append(f"... ({len(lines) - len(shown)} more line(s): run pytest exercises/{verdict.exercise})")
    out.print()
    out.print(f"[bold red]{verdict.function}[/]:")
    for line in shown:
        out.print("  " + line, markup=False)
    out.print()


def _draw_list(out: Console, state) -> None:
    out.print("[bold]tensorlings watch[/]: every exercise  [dim](press l to go back)[/]")
    known = [r for results in state.results.values() for r in results]
    table = Table(show_edge=False, box=None, padding=(0, 2))
    for column in ("", "exercise", "function", "checks passed", "result"):
        table.add_column(column)
    for verdict in function_verdicts(state.tree, known):
        checked = verdict.exercise in state.results
        marker = ">" if verdict.exercise == state.exercise.id else ""
        result = styled(verdict.status) if checked else "[dim]not checked yet[/]"
        table.add_row(marker, verdict.exercise, verdict.function, checks_passed(verdict) if verdict.checks else "",
                      result)
    out.print(table)
