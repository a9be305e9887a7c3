"""The one proxy behind every fixture binding: an exercise's functions looked up by name.

``submission`` and ``reference`` are bound to many things (a local module, the
solution, a recording, a sandboxed worker, a notebook's globals, a recorder
around any of those); each is a ``Binding`` that says only how to make one
function and what any other name is.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


class Binding:
    """What a fixture is bound to (``submission``, ``reference``): an exercise's functions by name.

    ``binding.to_nchw`` is made once, by ``_bind``, for each function ``_function_names``
    lists (course.yml's, unless a subclass says otherwise); any other public name is
    ``_other``'s (a constant of the module, say), and names starting with ``_`` are never looked up.
    """

    exercise: Any  # grader.manifest.Exercise

    def _function_names(self) -> Collection[str]:
        return {function.name for function in self.exercise.functions}

    def _bind(self, name: str) -> Any:
        raise NotImplementedError

    def _other(self, name: str) -> Any:
        raise AttributeError(f"{self.exercise.id} has no function {name!r} in course.yml")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or "exercise" not in self.__dict__:
            raise AttributeError(name)
        if name in self._function_names():
            bound = self.__dict__.setdefault("_bound", {})
            if name not in bound:
                bound[name] = self._bind(name)
            return bound[name]
        return self._other(name)

