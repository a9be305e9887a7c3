"""One comparison path for every check: type, shape, dtype, device, then values.

The decision on tensor values is ``torch.testing.assert_close``'s; this
module only orders the checks and explains the first difference in the
learner's terms. ``agree`` is what tests call: it runs the learner's function
and the oracle on the same inputs, checks the inputs were left alone and,
when asked, that the result is a view; when the answers differ it looks for
the known mistake that gives the learner's answer.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from grader.outcomes import Mismatch
from grader.results import Failure, Kind

# Float32 matmuls and convolutions on CUDA may use TF32 (10-bit mantissa).
_CUDA_FLOAT32_TOLERANCE = (2e-3, 2e-3)


def _skip_dtensor_import() -> None:
    """Spare every learner's run 1.3 s: assert_close's first call imports torch.distributed.tensor
    only to ask whether a value is a DTensor. Values compared here are plain tensors (grading turns
    whatever a worker returns into plain data), so that question never needs asking."""
    import sys

    from torch.testing import _comparison

    if "torch.distributed.tensor" not in sys.modules and hasattr(_comparison, "_HAS_DTENSOR"):
        _comparison._HAS_DTENSOR = False


_skip_dtensor_import()


# ---------------------------------------------------------------- describing values


def describe(value: Any) -> str:
    """A short, readable rendering of a value for messages."""
    if isinstance(value, torch.Tensor):
        if value.layout != torch.strided:
            return f"{_layout_name(value)} tensor of shape {tuple(value.shape)}, {_dtype_name(value.dtype)}"
        extras = [_dtype_name(value.dtype)]
        if value.device.type != "cpu":
            extras.append(f"on {value.device}")
        if value.dim() > 1 and not value.is_contiguous():
            extras.append(f"strides {value.stride()}")
        if value.requires_grad:
            extras.append("requires_grad")
        if value.device.type != "meta" and 0 < value.numel() <= 8:
            values = value.detach().cpu().tolist()
            return f"tensor({values}) of shape {tuple(value.shape)}, {', '.join(extras)}"
        return f"tensor of shape {tuple(value.shape)}, {', '.join(extras)}"
    if isinstance(value, np.ndarray):
        return f"NumPy array of shape {value.shape}, {value.dtype}"
    if hasattr(value, "mode") and hasattr(value, "size") and type(value).__module__.startswith("PIL"):
        return f"PIL image, mode {value.mode}, size {value.size}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_arguments(function: Callable | None, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """``batch=tensor of shape (2, 5, 7, 3), uint8`` using the function's own parameter names."""
    names: list[str] = []
    try:
        signature = inspect.signature(function) if function is not None else None
        bound = signature.bind(*args, **kwargs) if signature is not None else None
    except (TypeError, ValueError):
        bound = None
    if bound is not None:
        names = [f"{name}={describe(value)}" for name, value in bound.arguments.items()]
    else:
        names = [describe(value) for value in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return ", ".join(names) if names else "no arguments"


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _layout_name(tensor: torch.Tensor) -> str:
    return str(tensor.layout).removeprefix("torch.")


def _type_name(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "a Tensor" if type(value) is torch.Tensor else f"a Tensor subclass ({type(value).__name__})"
    if isinstance(value, np.ndarray):
        return "a NumPy array"
    if value is None:
        return "None"
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


# ---------------------------------------------------------------- comparing values


def tolerances(expected: torch.Tensor, actual: torch.Tensor, rtol: float | None, atol: float | None):
    """``(rtol, atol)`` for these tensors: the caller's, else assert_close's defaults, wider on CUDA float32."""
    if rtol is not None and atol is not None:
        return rtol, atol
    on_cuda = "cuda" in (expected.device.type, actual.device.type)
    if on_cuda and expected.dtype == torch.float32:
        default_rtol, default_atol = _CUDA_FLOAT32_TOLERANCE
    elif expected.dtype.is_floating_point or expected.dtype.is_complex:
        from torch.testing._comparison import default_tolerances

        default_rtol, default_atol = default_tolerances(expected)
    else:
        default_rtol, default_atol = 0.0, 0.0
    return (default_rtol if rtol is None else rtol), (default_atol if atol is None else atol)


@dataclass(frozen=True)
class Difference:
    """The first difference between an answer and the expected one.

    ``text`` is the phrase messages use (``returned shape (2, 3); expected (3, 2)``); ``actual``,
    ``expected`` and ``detail`` are its parts for views that lay them out.
    """

    kind: str
    text: str
    actual: str | None = None
    expected: str | None = None
    detail: str | None = None

    def within(self, where: str) -> Difference:
        """The same difference, found inside an item of a container (``item 0``, ``['key']``)."""
        return replace(self, text=f"{where} {self.text}",
                       actual=f"{where}: {self.actual}" if self.actual is not None else None)


def _returned(kind: str, actual: str, expected: str, suffix: str = "") -> Difference:
    """``returned shape (2, 3); expected (3, 2)``: the parts keep the qualifier on both sides."""
    qualifier = actual.split(" ", 1)[0] + " " if kind in ("shape", "dtype") and " " in actual else ""
    if kind == "type" and actual == "None" and expected != "None":
        suffix = " (None is what a function gives back when it ends without a return)" + suffix
    return Difference(kind, f"returned {actual}; expected {expected}{suffix}", actual, qualifier + expected)


def difference(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None) -> Difference | None:
    """The first difference, or None when they agree."""
    if isinstance(expected, torch.Tensor):
        return _tensor_difference(actual, expected, rtol, atol)
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, np.ndarray):
            return _returned("type", _type_name(actual), "a NumPy array")
        if actual.shape != expected.shape:
            return _returned("shape", f"shape {actual.shape}", f"{expected.shape}")
        if actual.dtype != expected.dtype:
            return _returned("dtype", f"dtype {actual.dtype}", f"{expected.dtype}")
        return _tensor_difference(torch.from_numpy(np.array(actual)), torch.from_numpy(np.array(expected)), rtol, atol)
    if isinstance(expected, bool) or expected is None or isinstance(expected, (str, torch.dtype, torch.device)):
        if type(actual) is not type(expected):
            return _returned("type", _type_name(actual), _type_name(expected))
        if actual != expected:
            return _returned("values", repr(actual), repr(expected))
        return None
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return _returned("type", _type_name(actual), _type_name(expected))
        if isinstance(expected, int) and not isinstance(actual, int):
            return _returned("type", _type_name(actual), "an int")
        close = math.isclose(actual, expected, rel_tol=1e-6 if rtol is None else rtol,
                             abs_tol=1e-9 if atol is None else atol)
        if not close and not (math.isnan(actual) and math.isnan(expected)):
            return _returned("values", repr(actual), repr(expected))
        return None
    if isinstance(expected, (tuple, list)):
        if not _same_sequence_type(actual, expected):
            return _returned("type", _type_name(actual), _type_name(expected))
        if len(actual) != len(expected):
            return Difference("shape", f"returned {len(actual)} items; expected {len(expected)}: {describe(expected)}",
                              f"{len(actual)} items", f"{len(expected)} items", describe(expected))
        for position, (got, want) in enumerate(zip(actual, expected)):
            found = difference(got, want, rtol=rtol, atol=atol)
            if found:
                if found.kind == "values" and not isinstance(want, (torch.Tensor, np.ndarray)):
                    return _returned("values", describe(actual), describe(expected), f" (item {position} differs)")
                return found.within(f"item {position}")
        return None
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return _returned("type", _type_name(actual), "a dict")
        if set(actual) != set(expected):
            return _returned("values", f"keys {sorted(map(str, actual))}", f"keys {sorted(map(str, expected))}")
        for key in expected:
            found = difference(actual[key], expected[key], rtol=rtol, atol=atol)
            if found:
                return found.within(f"[{key!r}]")
        return None
    if actual != expected:
        return _returned("values", describe(actual), describe(expected))
    return None


def _same_sequence_type(actual: Any, expected: tuple | list) -> bool:
    """A plain tuple is due: any tuple passes, named tuples and ``torch.return_types`` included."""
    if type(expected) is tuple:
        return isinstance(actual, tuple)
    return type(actual) is type(expected)


def _tensor_difference(actual: Any, expected: torch.Tensor, rtol, atol) -> Difference | None:
    if not isinstance(actual, torch.Tensor):
        hint = " (convert with torch.from_numpy or torch.as_tensor)" if isinstance(actual, np.ndarray) else ""
        return _returned("type", _type_name(actual), "a Tensor", hint)
    if actual.shape != expected.shape:
        return _returned("shape", f"shape {tuple(actual.shape)}", f"{tuple(expected.shape)}")
    if actual.dtype != expected.dtype:
        return _returned("dtype", f"dtype {_dtype_name(actual.dtype)}", _dtype_name(expected.dtype))
    if actual.device.type != expected.device.type:
        return _returned("device", f"a tensor on {actual.device}", f"one on {expected.device}")
    if actual.layout != expected.layout:
        return _returned("type", f"a {_layout_name(actual)} tensor", f"a {_layout_name(expected)} one")
    if expected.device.type == "meta":
        return None
    if expected.layout != torch.strided:
        actual, expected = actual.to_dense(), expected.to_dense()
    actual, expected = actual.detach(), expected.detach()
    if actual.device == expected.device and not expected.is_quantized and torch.equal(actual, expected):
        return None  # the usual answer: bit for bit the reference's, ~30x cheaper to see than assert_close
    rtol, atol = tolerances(expected, actual, rtol, atol)
    close = _all_close(actual, expected, rtol, atol)
    if close is None:  # not a plain tensor of a regular dtype: torch.testing judges it
        try:
            torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True, check_device=False)
            close = True
        except AssertionError:
            close = False
    return None if close else _first_wrong_value(actual.cpu(), expected.cpu(), rtol, atol)


def _all_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> bool | None:
    """``torch.testing.assert_close``'s own rule for two plain tensors of one dtype on one device
    (``torch.isclose`` everywhere, NaN equal to NaN), without the mismatch report it builds and we
    never show: for a wrong answer that report cost milliseconds, once per known mistake tried.
    None where assert_close has rules of its own (quantized, one-byte floats) or the devices differ."""
    if actual.device != expected.device or expected.is_quantized or (
            expected.dtype.is_floating_point and expected.dtype.itemsize == 1):
        return None
    try:
        return bool(torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True).all())
    except (RuntimeError, TypeError):
        return None


def _first_wrong_value(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> Difference:
    if expected.dtype == torch.bool:
        wrong = actual != expected
    else:
        wide = torch.float64 if not expected.is_complex() else torch.complex128
        wrong = ~torch.isclose(actual.to(wide), expected.to(wide), rtol=rtol, atol=atol, equal_nan=True)
    count = int(wrong.sum())
    if expected.dim() == 0:
        return _returned("values", repr(actual.item()), repr(expected.item()))
    index = tuple(int(i) for i in wrong.nonzero()[0])
    got, want = repr(actual[index].item()), repr(expected[index].item())
    detail = f"wrong values at {count} of {expected.numel()} positions; first at index {index}"
    return Difference("values", f"returned {detail}: got {got}, expected {want}", got, want, detail)


# ---------------------------------------------------------------- what tests call


def expect(condition: Any, message: str) -> None:
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(Failure(Kind.PROPERTY, message))


def raises(function: Callable, error: type[BaseException], *args: Any, kwargs: Mapping[str, Any] | None = None,
           why: str | None = None) -> None:
    """Require ``function(*args)`` to raise ``error`` (or a subclass), locally or in a grading worker."""
    name = _function_name(function)
    inputs = describe_arguments(function, args, dict(kwargs or {}))
    try:
        result = function(*args, **dict(kwargs or {}))
    except Mismatch as crash:  # how a learner's exception arrives through a submission
        raised = crash.error_type
        if raised and raised in {cls.__name__ for cls in _subclasses(error)}:
            return
        actual = f"raised {raised or 'an error'}"
        raise Mismatch(Failure(
            Kind.CRASH, f"{name} {actual} for {inputs}; expected {error.__name__}" + (f": {why}" if why else ""),
            function=name, call=name, inputs=inputs, actual=actual, expected=f"it to raise {error.__name__}",
            why=why, error_type=crash.error_type, error_message=crash.failure.error_message,
            file=crash.failure.file, line=crash.failure.line, code=crash.failure.code)) from None
    except error:  # a plain function (an oracle, or a test of this helper)
        return
    actual = f"returned {describe(result)}"
    raise Mismatch(Failure(
        Kind.VALUES, f"{name} {actual} for {inputs}; expected it to raise {error.__name__}" + (f": {why}" if why else ""),
        function=name, call=name, inputs=inputs, actual=describe(result), expected=f"it to raise {error.__name__}",
        why=why))


def _subclasses(error: type[BaseException]) -> list[type[BaseException]]:
    found, todo = [], [error]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def same(
    actual: Any,
    expected: Any,
    *,
    what: str,
    why: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Compare two values you already have; ``what`` names the call, e.g. ``contiguous_strides((3, 2))``."""
    found = difference(actual, expected, rtol=rtol, atol=atol)
    if found:
        function = what.split("(")[0]
        failure = Failure(Kind(found.kind), f"{what} {found.text}" + (f": {why}" if why else ""), function=function,
                          call=what, actual=found.actual, expected=found.expected, detail=found.detail, why=why)
        raise Mismatch(failure, expected=expected, actual=actual)


def _clone(value: Any) -> Any:
    """A deep copy of tensors and arrays inside plain containers; other values as they are."""
    if isinstance(value, torch.Tensor):
        if not value.is_leaf:
            return value.clone()
        copy = value.detach().clone().requires_grad_(value.requires_grad)
        if value.grad is not None:
            copy.grad = value.grad.detach().clone()
        return copy
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_clone(item) for item in value)
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if hasattr(value, "copy") and type(value).__module__.startswith("PIL"):
        return value.copy()
    return value


def shares_storage(result: Any, argument: Any) -> bool:
    """Whether ``result`` is a tensor (or array) that uses ``argument``'s memory."""

    def span(value):
        if isinstance(value, np.ndarray):
            value = torch.from_numpy(value) if value.size else None
        if not isinstance(value, torch.Tensor) or value.layout != torch.strided or value.device.type == "meta":
            return None
        storage = value.untyped_storage()
        return storage.data_ptr(), storage.data_ptr() + storage.nbytes()

    mine, theirs = span(result), span(argument)
    return mine is not None and theirs is not None and mine[0] < theirs[1] and theirs[0] < mine[1]


def _function_name(function: Callable) -> str:
    return getattr(function, "name", None) or getattr(function, "__name__", "the function")


def agree(
    actual_fn: Callable,
    expected_fn: Callable,
    *args: Any,
    kwargs: Mapping[str, Any] | None = None,
    view_of: Any = None,
    inputs_unchanged: bool = True,
    why: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    mistakes_from: Callable | None = None,
) -> Any:
    """Call both functions on the same inputs and require the same answer.

    Returns the learner's result so a test can check more about it. Known
    mistakes come from ``expected_fn`` (a ``reference`` function), or from
    ``mistakes_from`` when the oracle is a PyTorch built-in.
    """
    kwargs = dict(kwargs or {})
    name = _function_name(actual_fn)
    pristine_args, pristine_kwargs = _clone(args), _clone(kwargs)
    oracle_args, oracle_kwargs = _clone(args), _clone(kwargs)
    signature_source = expected_fn if hasattr(expected_fn, "__signature__") else actual_fn

    def inputs() -> str:  # only a failure shows them: most calls pass
        return describe_arguments(signature_source, pristine_args, pristine_kwargs)

    call = getattr(actual_fn, "call", None)
    try:
        outcome = call(args, kwargs) if call is not None else run_local(actual_fn, args, kwargs)
    except Mismatch as crash:
        if crash.kind == "crash" and crash.mistake is None and crash.error_type:
            crash.mistake = _matching_crash(mistakes_from or expected_fn, pristine_args, pristine_kwargs,
                                            crash.error_type, learner_names(actual_fn))
        raise
    actual = outcome.result
    expected = expected_fn(*oracle_args, **oracle_kwargs)

    def fail(kind: str, summary: str, same_failure: Callable[[CallOutcome], bool], **parts: str | None) -> None:
        mistake = _matching_mistake(mistakes_from or expected_fn, pristine_args, pristine_kwargs, same_failure,
                                    learner_names(actual_fn))
        failure = Failure(Kind(kind), summary, function=name, call=name, inputs=inputs(), **parts)
        raise Mismatch(failure, mistake=mistake, expected=expected, actual=actual)

    def same_answer(theirs: CallOutcome) -> bool:
        return difference(actual, theirs.result, rtol=rtol, atol=atol) is None

    found = difference(actual, expected, rtol=rtol, atol=atol)
    if found:
        fail(found.kind, f"{name} {found.text}, for {inputs()}" + (f": {why}" if why else ""), same_answer,
             actual=found.actual, expected=found.expected, detail=found.detail, why=why)
    if inputs_unchanged and outcome.mutated:
        changed = f"changed its input {', '.join(sorted(outcome.mutated))}"
        advice = "work on a copy or use out-of-place operations (no trailing underscore)"
        fail("mutated", f"{name} {changed}, for {inputs()}: {advice}",
             lambda theirs: same_answer(theirs) and bool(theirs.mutated),
             actual=changed, expected="its inputs left as they were", why=advice)
    if view_of is not None:
        position = next((i for i, arg in enumerate(args) if arg is view_of), None)
        is_view = position in outcome.views if position is not None else shares_storage(actual, view_of)
        if not is_view:
            advice = ("permute, transpose, view and slicing give views; contiguous(), clone() and reshape of a "
                      "non-contiguous tensor copy")
            fail("view", f"{name} returned a copy, for {inputs()}; expected a view that shares memory with its input "
                 f"({advice})", lambda theirs: same_answer(theirs) and not theirs.views,
                 actual="a copy", expected="a view that shares memory with its input", why=advice)
    return actual


@dataclass
class CallOutcome:
    """What one call gave back, and what it did to its arguments.

    ``mutated`` names the arguments whose values changed; ``views`` holds the
    positions of the arguments whose memory the result shares.
    """

    result: Any
    mutated: set[str] = field(default_factory=set)
    views: set[int] = field(default_factory=set)


def run_local(function: Callable, args: Sequence[Any], kwargs: Mapping[str, Any]) -> CallOutcome:
    """Call ``function`` in this process and observe its effect on the arguments."""
    before_args, before_kwargs = _clone(tuple(args)), _clone(dict(kwargs))
    result = function(*args, **kwargs)
    mutated = changed_arguments(before_args, before_kwargs, args, kwargs)
    views = {i for i, arg in enumerate(args) if shares_storage(result, arg)}
    return CallOutcome(result, mutated, views)


def changed_arguments(before_args, before_kwargs, after_args, after_kwargs) -> set[str]:
    """Names (``argument 1``, ``x``) of tensor, array or list arguments whose values changed."""
    changed = set()
    pairs = [(f"argument {i + 1}", b, a) for i, (b, a) in enumerate(zip(before_args, after_args))]
    pairs += [(key, before_kwargs[key], after_kwargs[key]) for key in before_kwargs]
    for label, before, after in pairs:
        if isinstance(before, (torch.Tensor, np.ndarray)) and _values_changed(before, after):
            changed.add(label)
        elif isinstance(before, list) and _list_changed(before, after):
            changed.add(label)  # a shape or stride list the function appended to, reversed or sorted
    return changed


def _list_changed(before: list, after) -> bool:
    if any(isinstance(item, (torch.Tensor, np.ndarray)) for item in before):
        return False  # lists of tensors: their items' values are not compared here
    return before != after


def _values_changed(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return not np.array_equal(before, after, equal_nan=before.dtype.kind == "f")
    if before.requires_grad != after.requires_grad or _grad_changed(_grad(before), _grad(after)):
        return True  # autograd state is part of the caller's tensor too
    if before.device.type == "meta" or before.layout != torch.strided:
        return False
    if not isinstance(after, torch.Tensor):
        return True
    before, after = _one_device(before.detach(), after.detach())
    if before is None:
        return False  # one side carries no data (meta): there are no values to compare
    return not torch.equal(before.nan_to_num(0.5) if before.is_floating_point() else before,
                           after.nan_to_num(0.5) if after.is_floating_point() else after)


def _one_device(first: torch.Tensor, second: torch.Tensor) -> tuple:
    """Both tensors on one device: the caller's copy and a worker's may live on different ones
    (cuda:0 here, the CPU there); compared on the CPU then. ``(None, None)`` where one is meta."""
    if first.device == second.device:
        return first, second
    if "meta" in (first.device.type, second.device.type):
        return None, None
    return first.cpu(), second.cpu()


def learner_names(actual_fn: Callable) -> frozenset[str] | None:
    """The names the learner's function uses, when its source is at hand (a submission, local or remote)."""
    source = getattr(actual_fn, "source_text", None)
    name = getattr(actual_fn, "name", None)
    if source is None or name is None:
        return None
    from grader.blame import names_in_source

    text = source() if callable(source) else source
    return names_in_source(text, name) if text is not None else None


def _fits(known, expected_fn, names) -> bool:
    from grader.blame import mistake_fits

    return mistake_fits(known.function, getattr(expected_fn, "function", None), names)


def _matching_crash(expected_fn, args, kwargs, error_type: str, names=None):
    """The first known mistake that raises the same kind of exception on these inputs."""
    for known in getattr(expected_fn, "mistakes", ()):
        if not _fits(known, expected_fn, names):
            continue
        try:
            known.function(*_clone(args), **_clone(kwargs))
        except Exception as error:  # noqa: BLE001 - the crash is what is being matched
            if type(error).__name__ == error_type:
                return known.name, known.explanation
    return None


def _grad(tensor: torch.Tensor) -> torch.Tensor | None:
    """A leaf's ``.grad``; a non-leaf has none to compare (asking would warn on every run)."""
    return tensor.grad if tensor.is_leaf else None


def _grad_changed(before: torch.Tensor | None, after: torch.Tensor | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    if before.shape != after.shape:
        return True
    before, after = _one_device(before, after)
    return before is not None and not torch.equal(before, after)


def _matching_mistake(expected_fn, args, kwargs, same_failure: Callable[[CallOutcome], bool], names=None):
    """The first known mistake that fails the same way as the learner's answer on these inputs, and whose
    telltale calls the learner's code makes (see grader.blame)."""
    for known in getattr(expected_fn, "mistakes", ()):
        if not _fits(known, expected_fn, names):
            continue
        try:
            theirs = run_local(known.function, _clone(args), _clone(kwargs))
        except Exception:  # a mistake that crashes here cannot be what the learner wrote
            continue
        if same_failure(theirs):
            return known.name, known.explanation
    return None
