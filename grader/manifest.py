"""The typed model of ``course.yml``.

Every field is documented here and nowhere else. The model is frozen and
rejects unknown fields, so a typo in the manifest is an error with a name,
not a silently ignored key. Paths are derived from ``id`` and ``module``,
never stored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.errors import UserError

Device = Literal["cpu", "cuda", "mps"]


class UnknownName(UserError, KeyError):
    """An exercise or function named on the command line that the course does not have (or
    that matches more than one). A KeyError too, for callers that look names up."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Function(_Strict):
    """One function a learner writes, and how it is scored and helped."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the function's name in the module")
    points: int = Field(ge=0, description="what a fully passing function is worth")
    hints: tuple[str, ...] = Field(
        min_length=1, description="hint tiers, from a nudge to nearly the answer; `tensorlings hint` reveals one at a time"
    )
    forbid: tuple[str, ...] = Field(
        default=(), description="names that must not appear inside the function (calls or attributes)"
    )
    require: tuple[str, ...] = Field(
        default=(), description="names the function must use (e.g. einsum when that is the point of the exercise)"
    )
    no_loops: bool = Field(default=False, description="forbid for/while loops and comprehensions inside the function")
    scoring: Literal["all_or_nothing", "per_check"] = Field(
        default="all_or_nothing",
        description="all_or_nothing: the points only when every check passes; per_check: the points shared "
        "among the checks by weight, each passing check earning its share",
    )
    weights: tuple[tuple[str, float], ...] = Field(
        default=(),
        description="per_check scoring: a check's weight by its test name (test_... in the exercise's test "
        "file); checks not named weigh 1",
    )
    hidden: tuple[str, ...] = Field(
        default=(),
        description="checks (test names) whose details the student never sees: a grade shows only that they "
        "passed or failed, and Gradescope shows a function whose checks are all hidden after the due date",
    )
    # 3 s: the reference's slowest call on the course takes 55 ms on a loaded 2-core machine, so a correct
    # but loop-heavy answer has a margin of about 50 times, and a learner with an endless loop waits 3 s,
    # not 5, for the verdict. Starting CUDA happens before the call (grader.plugin), never inside it.
    time_limit: float = Field(
        default=3.0, gt=0, le=600,
        description="seconds one call of the learner's function may run in a learner's check before it is "
        "stopped as an endless loop (grading has its own --timeout)",
    )

    @field_validator("weights", mode="before")
    @classmethod
    def _weights_from_a_mapping(cls, weights: object) -> object:
        # written as a mapping in course.yml; kept as pairs so the frozen model stays hashable
        return tuple(weights.items()) if isinstance(weights, dict) else weights

    @field_validator("weights")
    @classmethod
    def _weights_are_checks(cls, weights: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
        for name, weight in weights:
            if not name.startswith("test_") or not name.isidentifier():
                raise ValueError(f"{name!r} is not a check's test name (test_...)")
            if not weight >= 0:
                raise ValueError(f"the weight of {name} is {weight}; a weight is 0 or more")
        return weights

    @field_validator("hidden")
    @classmethod
    def _hidden_are_checks(cls, hidden: tuple[str, ...]) -> tuple[str, ...]:
        for name in hidden:
            if not name.startswith("test_") or not name.isidentifier():
                raise ValueError(f"{name!r} is not a check's test name (test_...)")
        return hidden

    @model_validator(mode="after")
    def _weights_need_per_check(self) -> Function:
        if self.weights and self.scoring != "per_check":
            raise ValueError("weights are only used with scoring: per_check; add it or remove the weights")
        return self

    def weight(self, check: str) -> float:
        """A check's weight under per_check scoring (1 unless course.yml names it)."""
        return dict(self.weights).get(check, 1.0)

    @field_validator("hints")
    @classmethod
    def _hints_have_text(cls, hints: tuple[str, ...]) -> tuple[str, ...]:
        if any(not hint.strip() for hint in hints):
            raise ValueError("a hint tier is empty")
        return hints


class Exercise(_Strict):
    """One folder under exercises/ and its mirror under solutions/."""

    id: str = Field(pattern=r"^\d\d_[a-z0-9_]+$", description="folder name, e.g. 03_strides")
    title: str = Field(min_length=1)
    module: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.py$", description="the file learners edit, e.g. strides.py")
    devices: tuple[Device, ...] = Field(
        default=("cpu", "cuda", "mps"), min_length=1, description="where its checks run, when the machine has it"
    )
    functions: tuple[Function, ...] = Field(min_length=1)

    @property
    def module_name(self) -> str:
        return self.module.removesuffix(".py")

    @property
    def test_file(self) -> str:
        return f"test_{self.module}"

    @property
    def max_points(self) -> int:
        return sum(function.points for function in self.functions)

    def function(self, name: str) -> Function:
        for function in self.functions:
            if function.name == name:
                return function
        known = ", ".join(f.name for f in self.functions)
        raise UnknownName(f"{self.id} has no function {name!r}; it has {known}")

    @model_validator(mode="after")
    def _unique_function_names(self) -> Exercise:
        names = [function.name for function in self.functions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"function {duplicates[0]!r} is listed twice")
        return self


class Course(_Strict):
    format_version: Literal[1]
    title: str = Field(min_length=1)
    exercises: tuple[Exercise, ...] = Field(min_length=1)

    @property
    def max_points(self) -> int:
        return sum(exercise.max_points for exercise in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id, or the one whose id starts with it or whose topic it is
        ("03", "strides"); an id that fits several is ambiguous and names them."""
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        matches = [e for e in self.exercises if e.id.startswith(exercise_id) or e.id[3:] == exercise_id]
        if len(matches) == 1:
            return matches[0]
        if matches:
            candidates = ", ".join(e.id for e in matches)
            raise UnknownName(f"exercise {exercise_id!r} is ambiguous: it could be {candidates}; "
                              "give more of the id")
        known = ", ".join(e.id for e in self.exercises)
        raise UnknownName(f"no exercise {exercise_id!r} in the course; it has {known}")

    @model_validator(mode="after")
    def _unique_ids(self) -> Course:
        ids = [exercise.id for exercise in self.exercises]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"exercise id {duplicates[0]!r} is listed twice")
        return self


_CONTAINER_NAMES = {"exercises": "exercise", "functions": "function", "hints": "hint tier", "forbid": "forbid entry"}


def describe_location(raw: object, loc: tuple) -> str:
    """Turn a pydantic error location into words.

    ``("exercises", 2, "functions", 0, "points")`` becomes
    ``exercise 03_strides, function contiguous_strides, field 'points'``.
    """
    words: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list):
            node = node[key] if key < len(node) else None
            container = words[-1].removeprefix("field ").strip("'") if words else ""
            kind = _CONTAINER_NAMES.get(container)
            label = (node.get("id") or node.get("name")) if isinstance(node, dict) else None
            if kind is None:
                words.append(f"item #{key + 1}")
            else:
                words[-1:] = [f"{kind} {label}" if label else f"{kind} #{key + 1}"]
        else:
            node = node.get(key) if isinstance(node, dict) else None
            words.append(f"field {key!r}")
    return ", ".join(words) or "the top level"
