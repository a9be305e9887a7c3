"""Watch's state and loop: one event queue (saves, keys), one child check at a time.

The process imports torch and the framework once (``isolated.warm_up``); each
check forks a child of it, so a verdict costs the checks themselves, and a
child that hangs, crashes or is stopped with Ctrl-C ends that check only.
"""

from __future__ import annotations

import queue
import sys
import time
from pathlib import Path
from typing import TextIO

from grader import isolated, progress, verdicts
from grader.board import function_verdicts
from grader.course import CourseTree
from grader.manifest import Exercise
from grader.results import CheckResult, FunctionResult, Status
from grader.watch.events import CTRL_C, FileWatcher, Key, KeyReader, Saved, keys_mode
from grader.watch.screen import render


class Watch:
    def __init__(self, tree: CourseTree, out: TextIO) -> None:
        self.tree, self.out = tree, out
        self.exercises = list(tree.manifest.exercises)
        self.results: dict[str, list[CheckResult]] = {}
        for exercise in self.exercises:
            found = verdicts.cached(tree, exercise)
            if found is not None:
                self.results[exercise.id] = found
        self.index = next((i for i, e in enumerate(self.exercises) if not self.passes(e)), 0)
        self.view = "exercise"
        self.notice: str | None = None
        self.hint: str | None = None
        self.took: float | None = None
        self.checking: str | None = None
        self.run: isolated.Run | None = None
        self.run_keys: dict[str, str] = {}
        self.run_since = 0.0
        self.done = False

    # ------------------------------------------------------------ state

    @property
    def exercise(self) -> Exercise:
        return self.exercises[self.index]

    def function_verdicts(self, exercise: Exercise) -> list[FunctionResult]:
        found = self.results.get(exercise.id, [])
        return [v for v in function_verdicts(self.tree, found) if v.exercise == exercise.id]

    def passes(self, exercise: Exercise) -> bool:
        return exercise.id in self.results and all(
            v.status == Status.PASSED for v in self.function_verdicts(exercise))

    def draw(self) -> None:
        self.out.write(render(self))
        self.out.flush()

    # ------------------------------------------------------------ checks

    def check(self, exercise: Exercise, since: float | None = None) -> None:
        """Check ``exercise`` now in a fresh child (a check still running is stopped: the newest save wins)."""
        self.cancel()
        self.run_since = since or time.perf_counter()
        if not verdicts.is_started(self.tree, exercise):
            self.results[exercise.id] = []
            self.took = time.perf_counter() - self.run_since
            return
        self.run, self.run_keys = verdicts.start(self.tree, exercise)
        self.checking = exercise.id

    def cancel(self) -> bool:
        if self.run is None:
            return False
        self.run.kill()
        self.run, self.checking = None, None
        return True

    def poll(self) -> None:
        """Take the running child's verdict if it has one."""
        if self.run is None:
            return
        results = self.run.wait(timeout=0)
        if results is None:
            return
        exercise = next(e for e in self.exercises if e.id == self.run.exercise)
        verdicts.remember(self.tree, exercise, self.run, self.run_keys, results)
        self.run, self.checking = None, None
        self.results[exercise.id] = results
        self.took = time.perf_counter() - self.run_since
        if exercise.id == self.exercise.id and self.passes(exercise):
            self.move_on()
        self.draw()

    def move_on(self) -> None:
        """The current exercise is done: go to the next one not done, as rustlings does."""
        finished = self.exercise.id
        later = [i for i in range(self.index + 1, len(self.exercises)) if not self.passes(self.exercises[i])]
        if not later:
            self.notice = f"[bold green]{finished}: every function passes.[/] " + (
                "Every exercise passes. Well done!" if all(self.passes(e) for e in self.exercises) else
                "Press l to see which exercises are left.")
            return
        self.notice = f"[bold green]{finished}: every function passes.[/] On to {self.exercises[later[0]].id}."
        self.go_to(later[0])

    def go_to(self, index: int) -> None:
        self.index, self.hint, self.view = index, None, "exercise"
        if self.exercise.id not in self.results:
            self.check(self.exercise)

    # ------------------------------------------------------------ events

    def handle(self, event) -> None:
        if isinstance(event, Saved):
            self.saved(event.paths)
        elif isinstance(event, Key):
            self.key(event.char)

    def saved(self, paths: tuple[Path, ...]) -> None:
        now = time.perf_counter()
        touched = [self.tree.exercise_for_path(path) for path in paths]
        touched = [e for e in touched if e is not None]
        if not touched:
            return
        exercise = touched[-1]
        self.notice, self.hint, self.view = None, None, "exercise"
        self.index = self.exercises.index(exercise)
        self.check(exercise, since=now)
        self.draw()

    def key(self, char: str) -> None:
        if char in ("q", "Q"):
            self.done = True
            return
        if char == CTRL_C:
            if self.cancel():
                self.notice = "[yellow]Check stopped (Ctrl-C).[/] Save the file or press r to check again."
            else:
                self.done = True
                return
        elif char == "n":
            self.notice = None
            self.go_to(min(self.index + 1, len(self.exercises) - 1))
        elif char == "h":
            self.show_hint()
        elif char == "l":
            self.view = "exercise" if self.view == "list" else "list"
        elif char in ("r", "\r", "\n"):
            self.notice = None
            self.check(self.exercise)
        else:
            return
        self.draw()

    def show_hint(self) -> None:
        verdicts_now = self.function_verdicts(self.exercise)
        name = next((v.function for v in verdicts_now if v.status != Status.PASSED), verdicts_now[0].function)
        function = self.exercise.function(name)
        before, shown = progress.reveal_next_hint(self.tree.root, self.exercise.id, name, len(function.hints))
        lines = [f"Hint {shown} of {len(function.hints)} for {name}:"]
        lines += [f"  {tier}. {text}" for tier, text in enumerate(function.hints[:shown], start=1)]
        if before == shown:
            lines.append(f"That was the last hint. Once {name} passes, "
                         f"`tensorlings solution {self.exercise.id} {name}` shows the reference.")
        self.hint = "\n".join(lines)

    # ------------------------------------------------------------ loop

    def loop(self, events: queue.Queue) -> None:
        while not self.done:
            try:
                try:
                    event = events.get(timeout=0.01 if self.run is not None else 0.5)
                except queue.Empty:
                    event = None
                if event is not None:
                    self.handle(event)
                self.poll()
            except KeyboardInterrupt:  # a SIGINT from outside the terminal: the same as the Ctrl-C key
                self.key(CTRL_C)


def watch(tree: CourseTree, *, interval: float = 0.05, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    isolated.warm_up()
    events: queue.Queue = queue.Queue()
    files = FileWatcher(tree.exercises_dir, events, interval)
    files.start()
    app = Watch(tree, out)
    with keys_mode(stdin.fileno()) as has_keys:
        if has_keys:
            KeyReader(stdin.fileno(), events).start()
        try:
            if app.exercise.id not in app.results:
                app.check(app.exercise)
            app.draw()
            app.loop(events)
        finally:
            files.stopping.set()
            app.cancel()
    out.write("\r\nStopped watching.\r\n" if has_keys else "\nStopped watching.\n")
    out.flush()
    return 0
