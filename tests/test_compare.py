"""The comparison path: each kind of difference is found, in order, and explained; each can fail."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.compare import agree, describe_arguments, difference, expect, same
from grader.impl import ReferenceFunction
from grader.mistakes import Mistake
from grader.outcomes import Mismatch


def to_nchw(batch):
    return batch.permute(0, 3, 1, 2)


@pytest.mark.parametrize(
    "actual, expected, kind, words",
    [
        ([2, 1], (2, 1), "type", "returned a list; expected a tuple"),
        (np.zeros(3), torch.zeros(3), "type", "convert with torch.from_numpy"),
        (torch.zeros(2, 3), torch.zeros(3, 2), "shape", "returned shape (2, 3); expected (3, 2)"),
        (torch.zeros(3, dtype=torch.float64), torch.zeros(3), "dtype", "returned dtype float64; expected float32"),
        (torch.zeros(3, device="meta"), torch.zeros(3), "device", "on meta; expected one on cpu"),
        (torch.tensor([1.0, 2.0, 3.5]), torch.tensor([1.0, 2.0, 3.0]), "values",
         "1 of 3 positions; first at index (2,): got 3.5, expected 3.0"),
        (True, False, "values", "returned True; expected False"),
        (1, True, "type", "returned an int; expected a bool"),
        ({"3": 0.5}, {"3": 0.5, "7": 1.0}, "values", "keys"),
        ((2, 1.0), (2, 1), "type", "item 1 returned a float; expected an int"),
    ],
)
def test_each_difference_is_found_and_explained(actual, expected, kind, words):
    found = difference(actual, expected)
    assert found is not None and found.kind == kind
    assert words in found.text


@pytest.mark.parametrize(
    "value",
    [torch.arange(6.0).reshape(2, 3), (2, 1), 3, 0.25, True, {"a": torch.ones(2)}, np.ones((2, 2)), torch.float32],
)
def test_equal_values_agree(value):
    assert difference(value, value) is None


def test_float_tolerance_follows_the_dtype():
    assert difference(torch.tensor([1.0 + 1e-7]), torch.tensor([1.0])) is None
    assert difference(torch.tensor([1.0 + 1e-3]), torch.tensor([1.0])) is not None
    assert difference(torch.tensor([1.0 + 1e-3]), torch.tensor([1.0]), rtol=1e-2, atol=0) is None


def test_the_shape_message_names_the_function_the_input_and_why():
    batch = torch.zeros(2, 5, 7, 3)
    wrong = ReferenceFunction("to_nchw", lambda batch: batch.permute(0, 3, 2, 1), [])
    right = ReferenceFunction("to_nchw", to_nchw, [])
    with pytest.raises(Mismatch) as caught:
        agree(wrong, right, batch, why="the channel axis must move to position 1")
    assert str(caught.value).startswith(
        "to_nchw returned shape (2, 3, 7, 5); expected (2, 3, 5, 7), for batch=tensor of shape (2, 5, 7, 3), "
        "float32: the channel axis must move to position 1"
    )


def test_a_matching_known_mistake_is_named():
    by_reshape = Mistake("to_nchw", "reshape instead of permute", "reshape re-cuts memory.",
                         lambda b: b.reshape(b.shape[0], b.shape[3], b.shape[1], b.shape[2]))
    reversed_axes = Mistake("to_nchw", "axes reversed", "permute(0, 3, 2, 1) swaps H and W.",
                            lambda b: b.permute(0, 3, 2, 1))
    reference = ReferenceFunction("to_nchw", to_nchw, [reversed_axes, by_reshape])
    learner = ReferenceFunction("to_nchw", lambda b: b.reshape(b.shape[0], b.shape[3], b.shape[1], b.shape[2]), [])
    with pytest.raises(Mismatch) as caught:
        agree(learner, reference, torch.arange(2 * 5 * 7 * 3).reshape(2, 5, 7, 3))
    assert caught.value.mistake == ("reshape instead of permute", "reshape re-cuts memory.")
    assert "known mistake, 'reshape instead of permute'" in str(caught.value)


def test_no_mistake_is_named_when_none_matches():
    reference = ReferenceFunction("to_nchw", to_nchw, [
        Mistake("to_nchw", "axes reversed", "...", lambda b: b.permute(0, 3, 2, 1))])
    with pytest.raises(Mismatch) as caught:
        agree(lambda b: b.permute(0, 3, 1, 2) + 1, reference, torch.zeros(1, 2, 3, 4))
    assert caught.value.mistake is None


def test_a_copy_fails_the_view_requirement_and_a_view_passes():
    batch = torch.zeros(2, 5, 7, 3)
    agree(to_nchw, to_nchw, batch, view_of=batch)
    with pytest.raises(Mismatch, match="returned a copy") as caught:
        agree(lambda b: to_nchw(b).contiguous(), to_nchw, batch, view_of=batch)
    assert caught.value.kind == "view"


def test_modifying_an_input_is_caught_and_an_out_of_place_answer_is_not():
    x = torch.ones(3)
    agree(lambda t: t * 2, lambda t: t * 2, x)
    with pytest.raises(Mismatch, match="changed its input argument 1") as caught:
        agree(lambda t: t.mul_(2), lambda t: t * 2, torch.ones(3))
    assert caught.value.kind == "mutated"


def test_the_oracle_gets_the_inputs_as_they_were_before_the_learner_ran():
    # The learner adds one in place; an oracle that saw the modified input would expect 3, not 2.
    agree(lambda t: t.add_(1), lambda t: t + 1, torch.ones(2), inputs_unchanged=False)
    with pytest.raises(Mismatch, match="returned wrong values"):
        agree(lambda t: t.add_(2), lambda t: t + 1, torch.ones(2), inputs_unchanged=False)


def test_same_and_expect_fail_only_when_they_should():
    same((2, 1), (2, 1), what="contiguous_strides((3, 2))")
    with pytest.raises(Mismatch, match=r"contiguous_strides\(\(3, 2\)\) returned \(1, 2\); expected \(2, 1\)"):
        same((1, 2), (2, 1), what="contiguous_strides((3, 2))")
    expect(True, "never shown")
    with pytest.raises(Mismatch, match="left a .grad"):
        expect(False, "left a .grad on w")


def test_arguments_are_described_by_their_parameter_names():
    def storage_index(index, strides, offset=0):
        return 0

    text = describe_arguments(storage_index, ((1, 1), (2, 1)), {"offset": 2})
    assert text == "index=(1, 1), strides=(2, 1), offset=2"


def test_leaving_autograd_state_on_the_callers_tensor_counts_as_changing_it():
    def grad_by_backward_on_callers_tensor(w):
        w.requires_grad_(True)
        (w * 3).sum().backward()
        return w.grad.detach().clone()

    agree(lambda w: torch.full_like(w, 3.0), lambda w: torch.full_like(w, 3.0), torch.ones(2))
    with pytest.raises(Mismatch, match="changed its input argument 1") as caught:
        agree(grad_by_backward_on_callers_tensor, lambda w: torch.full_like(w, 3.0), torch.ones(2))
    assert caught.value.kind == "mutated"


def test_a_crash_is_named_by_a_mistake_that_crashes_the_same_way():
    from grader.outcomes import Mismatch as Crash

    def learner(x):
        raise Crash("to_numpy raised TypeError", kind="crash", function="to_numpy", error_type="TypeError")

    crashing = Mistake("to_numpy", "numpy() straight away", "call .detach() first.", lambda x: x.numpy() + None)
    other = Mistake("to_numpy", "a list", "...", lambda x: x.tolist())
    reference = ReferenceFunction("to_numpy", lambda x: x.numpy(), [other, crashing])
    with pytest.raises(Mismatch) as caught:
        agree(learner, reference, torch.ones(2))
    assert caught.value.mistake[0] == "numpy() straight away"


def test_raises_passes_only_for_the_expected_exception():
    from grader.compare import raises

    def reject(shape):
        raise ValueError(f"cannot broadcast {shape}")

    raises(reject, ValueError, (2, 3))
    with pytest.raises(Mismatch, match="returned 5 for shape=.*expected it to raise ValueError"):
        raises(lambda shape: 5, ValueError, (2, 3))
    crash = Mismatch("f raised TypeError", kind="crash", function="f", error_type="TypeError")

    def crashes_remotely(shape):
        raise crash

    with pytest.raises(Mismatch, match="raised TypeError .*expected ValueError"):
        raises(crashes_remotely, ValueError, (2, 3))
    crash.failure.error_type = "ValueError"
    raises(crashes_remotely, ValueError, (2, 3))


def test_a_shape_list_changed_in_place_is_caught_and_one_left_alone_is_not():
    def padded(shape, rank):
        return (1,) * (rank - len(shape)) + tuple(shape)

    def padded_in_place(shape, rank):
        shape[:0] = [1] * (rank - len(shape))  # pads the caller's list itself
        return tuple(shape)

    agree(padded, padded, [2, 3], 4)
    with pytest.raises(Mismatch, match="changed its input argument 1") as caught:
        agree(padded_in_place, padded, [2, 3], 4)
    assert caught.value.kind == "mutated"


def test_a_none_answer_says_how_a_function_comes_to_return_none():
    for expected in (torch.tensor([1.0]), (1, 2), 3):
        found = difference(None, expected)
        assert found is not None and found.kind == "type"
        assert found.text.startswith("returned None; expected") and "ends without a return" in found.text
    assert "without a return" not in difference(3, None).text, "only a None answer gets the note"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.int64, torch.uint8, torch.bool,
                                   torch.complex64])
@pytest.mark.parametrize("nudge", [0.0, 1e-7, 1e-5, 1e-2, 1.0, float("nan"), float("inf")])
def test_the_quick_closeness_rule_is_assert_closes_rule(dtype, nudge):
    """Comparison judges plain tensors with torch.isclose itself (no mismatch report to build): it must say
    what torch.testing.assert_close says, for close, not close, NaN and infinite values alike."""
    from grader.compare import _all_close, tolerances

    base = torch.tensor([0.0, 1.0, -2.5, 1000.0, float("nan")]).to(dtype) if dtype.is_floating_point or \
        dtype.is_complex else torch.tensor([0, 1, 2, 3, 4]).to(dtype)
    other = base.clone()
    if dtype.is_floating_point or dtype.is_complex:
        other[2] = other[2] + nudge
    elif nudge:
        other[2] = 1 if dtype == torch.bool else other[2] + 1
    rtol, atol = tolerances(base, other, None, None)
    try:
        torch.testing.assert_close(other, base, rtol=rtol, atol=atol, equal_nan=True)
        expected = True
    except AssertionError:
        expected = False
    assert _all_close(other, base, rtol, atol) is expected
