"""A ``CheckResult`` as plain JSON data and back: what a checking child sends its parent and what the
progress file keeps."""

from __future__ import annotations

from dataclasses import asdict

from grader.results import CheckResult, Failure, Status


def result_to_json(result: CheckResult) -> dict:
    data = asdict(result)
    data["status"] = result.status.value
    data["failure"] = result.failure.to_json() if result.failure else None
    return data


def result_from_json(data: dict) -> CheckResult:
    failure = Failure.from_json(data["failure"]) if data.get("failure") else None
    return CheckResult(
        exercise=str(data["exercise"]), function=str(data["function"]), test=str(data["test"]),
        status=Status(data["status"]), failure=failure, variant=data.get("variant"),
        duration=float(data.get("duration") or 0.0), skip_reason=data.get("skip_reason"),
    )
