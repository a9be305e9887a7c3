"""The learner's progress file: how many hint tiers each function has revealed.

It lives beside course.yml as ``.tensorlings-progress.json``; deleting it
resets every hint. It is written atomically, so an interrupted write never
leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

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
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".tensorlings-progress.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=True)
    os.replace(temporary, _path(root))


def hints_seen(root: Path, exercise: str, function: str) -> int:
    return int(load(root)["hints"].get(f"{exercise}.{function}", 0))


def reveal_next_hint(root: Path, exercise: str, function: str, available: int) -> int:
    """Record one more tier as seen (up to ``available``) and return how many are now revealed."""
    data = load(root)
    key = f"{exercise}.{function}"
    data["hints"][key] = min(int(data["hints"].get(key, 0)) + 1, available)
    save(root, data)
    return data["hints"][key]
