"""The learner's progress file: how many hint tiers each function has revealed.

It lives beside course.yml as ``.tensorlings-progress.json``; deleting it
resets every hint. It is written atomically, so an interrupted write never
leaves half a file.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text

FILENAME = ".tensorlings-progress.json"


def _path(root: Path) -> Path:
    return root / FILENAME


def load(root: Path) -> dict:
    try:
        data = json.loads(_path(root).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"hints": {}}
    return data if isinstance(data, dict) and isinstance(data.get("hints"), dict) else {"hints": {}}


def save(root: Path, data: dict) -> None:
    write_text(_path(root), json.dumps(data, indent=2, sort_keys=True))


def hints_seen(root: Path, exercise: str, function: str) -> int:
    return int(load(root)["hints"].get(f"{exercise}.{function}", 0))


def reveal_next_hint(root: Path, exercise: str, function: str, available: int) -> int:
    """Record one more tier as seen (up to ``available``) and return how many are now revealed."""
    data = load(root)
    key = f"{exercise}.{function}"
    data["hints"][key] = min(int(data["hints"].get(key, 0)) + 1, available)
    save(root, data)
    return data["hints"][key]
