"""The learner's progress file: how many hint tiers each function has revealed, and each
function's last verdict with the content key it was reached under (see ``grader.fingerprint``).

It lives beside course.yml as ``.tensorlings-progress.json``; deleting it
resets every hint and forgets every verdict. It is written atomically, so an
interrupted write never leaves half a file.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text
from grader.records import result_from_json, result_to_json
from grader.results import CheckResult

FILENAME = ".tensorlings-progress.json"


def _path(root: Path) -> Path:
    return root / FILENAME


def load(root: Path) -> dict:
    try:
        data = json.loads(_path(root).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"hints": {}, "verdicts": {}}
    if not isinstance(data, dict) or not isinstance(data.get("hints"), dict):
        return {"hints": {}, "verdicts": {}}
    if not isinstance(data.get("verdicts"), dict):
        data["verdicts"] = {}
    return data


def save(root: Path, data: dict) -> None:
    write_text(_path(root), json.dumps(data, indent=2, sort_keys=True))


def hints_seen(root: Path, exercise: str, function: str) -> int:
    return int(load(root)["hints"].get(f"{exercise}.{function}", 0))


def reveal_next_hint(root: Path, exercise: str, function: str, available: int) -> tuple[int, int]:
    """Record one more tier as seen (up to ``available``); return how many were revealed before and now."""
    data = load(root)
    key = f"{exercise}.{function}"
    before = min(int(data["hints"].get(key, 0)), available)
    data["hints"][key] = min(before + 1, available)
    save(root, data)
    return before, data["hints"][key]


def cached_results(root: Path, exercise: str, keys: dict[str, str]) -> dict[str, list[CheckResult]]:
    """Per function whose stored key equals its key now: the check results of its last verdict."""
    stored = load(root)["verdicts"]
    found = {}
    for function, key in keys.items():
        entry = stored.get(f"{exercise}.{function}")
        if isinstance(entry, dict) and entry.get("key") == key:
            try:
                found[function] = [result_from_json(item) for item in entry.get("checks", [])]
            except (KeyError, TypeError, ValueError):
                continue  # an entry from an older format: check again
    return found


def store_results(root: Path, exercise: str, keys: dict[str, str], results: list[CheckResult]) -> None:
    """Remember each function's results under its key (``keys``: as the files stood when the run began)."""
    data = load(root)
    for function, key in keys.items():
        checks = [result_to_json(r) for r in results if r.function == function]
        data["verdicts"][f"{exercise}.{function}"] = {"key": key, "checks": checks}
    save(root, data)
