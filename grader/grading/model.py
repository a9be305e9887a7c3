"""What grading one student produces: plain data, shared by the engine and the reports.

The engine fills these in; the report writers only read them. Everything
here is JSON-serialisable through ``to_json``/``from_json`` so a finished
student can be written atomically and skipped when a run is resumed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from grader.results import CheckResult, Failure, Status


@dataclass
class Picture:
    """Small 2-D images (lists of rows of floats in [0, 1]) for a failing image-valued check."""

    expected: list[list[float]]
    actual: list[list[float]]
    difference: list[list[float]]


@dataclass
class FunctionGrade:
    exercise: str
    function: str
    status: Status
    points: float
    max_points: float
    checks_passed: int
    checks_total: int
    failure: Failure | None = None      # the first failing check's record
    failed_check: str | None = None     # its pytest node id
    picture: Picture | None = None      # expected, actual and difference, when the values are images
    next_hint: str | None = None
    hidden_failed: int = 0              # hidden checks that did not pass (their details are never kept)
    visibility: str = "visible"         # Gradescope's: "after_due_date" when every check is hidden


# Left out of grade.json when they hold these, so grades made before they existed read the same.
_OPTIONAL = {"hidden_failed": 0, "visibility": "visible"}


@dataclass
class StudentGrade:
    student: str
    functions: list[FunctionGrade] = field(default_factory=list)
    limits_hit: list[str] = field(default_factory=list)   # e.g. "03_strides: wall time 10 s exceeded"
    warnings: list[str] = field(default_factory=list)     # e.g. sandbox features not enforced
    seconds: float = 0.0
    key: str = ""                 # what the grade depends on (see grading.keys): a rerun skips it while equal
    verdict: str = "ok"           # the intake verdict; anything but "ok" means not gradable
    reason: str = ""              # why not gradable: what was found and what to do
    possible: float = 0.0         # the points a not-gradable submission could have earned

    @property
    def gradable(self) -> bool:
        return self.verdict == "ok"

    @property
    def score(self) -> float:
        return sum(f.points for f in self.functions)

    @property
    def max_score(self) -> float:
        return sum(f.max_points for f in self.functions) if self.gradable else self.possible

    def to_json(self) -> dict:
        data = asdict(self)
        for function in data["functions"]:
            for name, default in _OPTIONAL.items():
                if function.get(name) == default:
                    del function[name]
        return data

    @classmethod
    def from_json(cls, data: dict) -> StudentGrade:
        functions = []
        for raw in data.get("functions", []):
            failure, picture = raw.get("failure"), raw.get("picture")
            functions.append(FunctionGrade(**{
                **raw, "status": Status(raw["status"]),
                "failure": Failure.from_json(failure) if failure else None,
                "picture": Picture(**picture) if picture else None,
            }))
        return cls(
            student=data["student"],
            functions=functions,
            limits_hit=list(data.get("limits_hit", [])),
            warnings=list(data.get("warnings", [])),
            seconds=float(data.get("seconds", 0.0)),
            key=str(data.get("key", "")),
            verdict=str(data.get("verdict", "ok")),
            reason=str(data.get("reason", "")),
            possible=float(data.get("possible", 0.0)),
        )


__all__ = ["CheckResult", "Failure", "FunctionGrade", "Picture", "StudentGrade"]
