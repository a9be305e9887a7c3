"""Replaying: recorded answers by function, and a check run once per recorded case."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import codec
from grader.replay import modes, placement
from grader.replay.fingerprint import fingerprint
from grader.replay.store import RecordingMissing, test_key


def _describe_call(name: str, signature, args, kwargs) -> str:
    from grader.compare import describe_arguments

    class _Signed:
        __signature__ = signature

    return f"{name}({describe_arguments(_Signed() if signature else None, args, kwargs)})"


class _Default:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _signature(recorded: list) -> inspect.Signature | None:
    try:
        return inspect.Signature([
            inspect.Parameter(name, inspect._ParameterKind(kind),
                              default=_Default(default) if has_default else inspect.Parameter.empty)
            for name, kind, has_default, default in recorded
        ])
    except (TypeError, ValueError):
        return None


class RecordedTable:
    """One function's recorded calls: the reference's outcome and each mistake's, by argument key."""

    def __init__(self, name: str, data: dict) -> None:
        self.name = name
        self.calls: dict[str, dict] = data["calls"]
        self.signature = _signature(data.get("signature", []))
        self.mistake_info = [(m["name"], m["explanation"]) for m in data.get("mistakes", [])]

    def entry(self, args: tuple, kwargs: dict, variant: str | None) -> dict:
        found = self.calls.get(fingerprint(args, kwargs))
        if found is None:
            raise RecordingMissing(
                f"no recorded answer for {_describe_call(self.name, self.signature, args, kwargs)}: this "
                "release recorded the inputs its checks draw, and this call was not among them. If you "
                "changed a test, rebuild the release (`tensorlings release`) where solutions/ is present"
            )
        return found["solution"] if variant is None else found["mistakes"][variant]

    def mistake_matches_solution(self, mistake: str) -> bool:
        """Whether ``mistake``'s recorded outcome equals the solution's on every recorded call."""
        from grader.compare import difference

        for entry in self.calls.values():
            theirs, ours = entry["mistakes"].get(mistake), entry["solution"]
            if theirs is None or "raised" in theirs or "raised" in ours:
                return False
            if set(theirs["mutated"]) != set(ours["mutated"]) or set(theirs["views"]) != set(ours["views"]):
                return False
            if difference(codec.loads(theirs["result"]), codec.loads(ours["result"])) is not None:
                return False
        return bool(self.calls)

    def outcome(self, args: tuple, kwargs: dict, variant: str | None = None, *, apply_mutation: bool = False):
        """The recorded ``CallOutcome`` for these arguments (raises what the function raised)."""
        from grader.compare import CallOutcome

        entry = self.entry(args, kwargs, variant)
        if "raised" in entry:
            raise _recorded_error(entry["raised"])
        if apply_mutation:
            for label, after in entry["mutated"].items():
                target = args[int(label.split()[1]) - 1] if label.startswith("argument ") else kwargs[label]
                _overwrite(target, codec.loads(after))
        result = placement.place(codec.loads(entry["result"]), entry["placement"], args, kwargs)
        return CallOutcome(result, set(entry["mutated"]), set(entry["views"]))


def _recorded_error(text: str) -> RuntimeError:
    """What a recorded function raised, as a RuntimeError whose type name is the original's."""
    name = text.split(":", 1)[0].strip()
    kind = type(name, (RuntimeError,), {}) if name.isidentifier() else RuntimeError
    return kind(f"(recorded) {text}")


def _overwrite(target: Any, value: Any) -> None:
    import torch

    if isinstance(target, torch.Tensor):
        with torch.no_grad():
            target.copy_(value)
    elif hasattr(target, "shape"):
        target[...] = value


def tables(test_folder: Path, mode: modes.Mode | None = None) -> dict[str, RecordedTable]:
    data = modes.load_cases(test_folder, mode)
    return {name: RecordedTable(name, table) for name, table in data["functions"].items()}


def replay_cases(test: Callable, argument_names: tuple[str, ...], mode: modes.Mode,
                 args: tuple, kwargs: dict) -> None:
    """Run ``test`` once per recorded case, with the recorded inputs as its strategy arguments.

    ``args`` and ``kwargs`` are the fixtures. Cases run smallest first, so the
    first failure is a small example.
    """
    folder = Path(test.__code__.co_filename).resolve().parent
    key = test_key(test)
    cases = mode.load_cases(folder)["tests"].get(key)
    if cases is None:
        raise RecordingMissing(
            f"{key} has no recorded cases: the release was built from other checks. "
            "Rebuild it with `tensorlings release` where solutions/ is present"
        )
    chosen = cases if mode.limit is None else cases[:mode.limit]
    for number, case in enumerate(chosen, start=1):
        drawn = codec.loads(case)
        try:
            test(*args, **kwargs, **drawn)
        except Exception as error:
            if argument_names:
                from grader.compare import describe

                drawn = codec.loads(case).items()
                # the example as structured parts: the failure record takes it from here, not from the note
                error.tensorlings_example = "\n".join(f"{name}={describe(value)}" for name, value in drawn)
                error.tensorlings_case = f"recorded case {number} of {len(chosen)}"
                shown = ", ".join(f"{name}={describe(value)}" for name, value in drawn)
                error.add_note(f"Falsifying example ({error.tensorlings_case}): {test.__name__}({shown})")
            raise
