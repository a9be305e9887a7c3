"""The shared strategies keep their promises: distinct axis sizes, varied layouts, early argument errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import find, given, settings
from hypothesis import strategies as st

from grader import strategies as tst


@settings(max_examples=40, deadline=None)
@given(batch=tst.image_batches(layout="NHWC"))
def test_image_batches_have_distinct_axis_sizes_and_image_ranges(batch):
    assert batch.dim() == 4
    assert len(set(batch.shape)) == 4
    if batch.dtype.is_floating_point:
        assert batch.numel() == 0 or (batch.min() >= 0 and batch.max() <= 1)


@pytest.mark.parametrize(
    "found",
    [lambda t: not t.is_contiguous(), lambda t: t.storage_offset() > 0, lambda t: t.is_contiguous()],
    ids=["non-contiguous", "offset", "contiguous"],
)
def test_every_kind_of_layout_can_be_drawn(found):
    assert found(find(tst.tensors((2, 3, 4)), found, settings=settings(database=None, max_examples=500)))


@pytest.mark.parametrize("layout", tst.LAYOUTS)
def test_relayout_keeps_the_values(layout):
    original = torch.arange(24.0).reshape(2, 3, 4)
    assert torch.equal(tst.relayout(original, layout), original)
    assert tst.relayout(original, layout).is_contiguous() == (layout in ("contiguous", "offset"))


@settings(max_examples=30, deadline=None)
@given(pair=tst.shapes_and_strides())
def test_shapes_and_strides_have_matching_ranks(pair):
    shape, strides = pair
    assert len(shape) == len(strides) and all(s >= 0 for s in strides)


def test_shapes_come_as_lists_first_and_as_tuples_too():
    forms = tst.as_lists_or_tuples(tst.shapes_and_strides(min_rank=1))
    quiet = settings(database=None, max_examples=200)
    simplest = find(forms, lambda pair: True, settings=quiet)
    assert all(type(part) is list for part in simplest)
    assert all(type(part) is tuple for part in find(forms, lambda pair: type(pair[0]) is tuple, settings=quiet))


def test_only_tuples_of_ints_become_lists():
    mixed = st.just(((2, 3), (3, 1), 4, "coords"))
    converted = find(tst.as_lists_or_tuples(mixed), lambda value: True, settings=settings(database=None))
    assert converted == ([2, 3], [3, 1], 4, "coords")


@settings(max_examples=30, deadline=None)
@given(batch=tst.image_batches(layout="CHW", dtypes=[torch.uint8], max_side=4))
def test_small_uint8_images_have_all_different_pixels(batch):
    assert batch.unique().numel() == batch.numel()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: tst.distinct_sizes(5, min_size=1, max_size=3), "cannot draw 5 distinct sizes"),
        (lambda: tst.distinct_sizes(2, min_size=-1), "min_size=-1 must be at least 0"),
        (lambda: tst.image_batches(layout="NHHW"), "must use each of N, C, H, W at most once"),
        (lambda: tst.images(layout="NCHW"), "is a batch"),
        (lambda: tst.shapes(min_rank=3, max_rank=2), "max_rank=2 must be at least min_rank=3"),
        (lambda: tst.relayout(torch.zeros(2), "diagonal"), "unknown layout 'diagonal'"),
    ],
)
def test_bad_arguments_are_rejected_early_with_their_names(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64])
def test_wide_tensors_hold_only_values_that_float32_changes(dtype):
    found = find(tst.wide_tensors((3,), dtype), lambda t: True, settings=settings(database=None))
    assert found.dtype == dtype
    assert not torch.equal(found.to(torch.float32).to(dtype), found)
    assert (found.to(torch.float32).to(dtype) != found).all()


def test_a_float32_detour_is_not_asked_of_a_narrow_dtype():
    with pytest.raises(ValueError, match="use torch.int64 or torch.float64"):
        tst.changed_by_float32(torch.int16)
