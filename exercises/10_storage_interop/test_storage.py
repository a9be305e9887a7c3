"""Checks for exercise 10: storage, NumPy, in-place operations and files."""

import contextlib
import inspect
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import strategies as st

from grader import agree, check, same
from grader import strategies as tst
from grader.compare import run_local

POINTS = [[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]]  # the lesson's three 2-D points


# --- scenarios -----------------------------------------------------------------
#
# Whether a result shares memory with an input, or how much storage it holds,
# cannot be seen in its values. A scenario rebuilds the input from plain parts
# (contiguous values and the name of a memory layout), calls the function, and
# returns the result together with those facts, so that agree compares them and
# names the known mistake that gives the same facts. Rebuilding the input inside
# the scenario means every known mistake is tried on exactly the same layout.


class _Scenario:
    def __init__(self, function, run, mistakes=()):
        self._function, self._run = function, run
        self.name = self.__name__ = getattr(function, "name", None) or function.__name__
        self.__signature__ = inspect.Signature(list(inspect.signature(run).parameters.values())[1:])
        self.mistakes = tuple(
            SimpleNamespace(name=m.name, explanation=m.explanation, function=_Scenario(m.function, run))
            for m in mistakes
        )

    def __call__(self, *parts):
        return self._run(self._function, *parts)


def scenario(run, submitted, reference):
    """The learner's function and the reference (with its mistakes), both run through ``run``."""
    return _Scenario(submitted, run), _Scenario(reference, run, reference.mistakes)


def _call(function, *args):
    """Call ``function`` and learn what it did to memory, as a ``CallOutcome``.

    ``outcome.views`` holds the positions of the arguments the result shares
    memory with. The learner's function reports this itself (also when it
    runs in a separate grading process); a recorded reference (in a learner
    release) replays what was recorded, changes to its arguments included;
    other functions are observed here.
    """
    call = getattr(function, "call", None)
    if call is not None:
        return call(args, {})
    table = getattr(function, "table", None)
    if table is not None and hasattr(table, "outcome"):
        return table.outcome(args, {}, apply_mutation=True)
    return run_local(function, args, {})


layouts = st.sampled_from(tst.LAYOUTS)

# Views used by the fixed examples, on top of the strategies' layouts.
_RECIPES = {"row 1": lambda values: values[1], "column 0": lambda values: values[:, 0]}


def _view(values: torch.Tensor, how: str) -> torch.Tensor:
    """``values`` in the memory layout ``how`` (a tst.LAYOUTS name, or a recipe above)."""
    return _RECIPES[how](values.clone()) if how in _RECIPES else tst.relayout(values.clone(), how)


# Layouts only differ in memory when tensors have at least two axes of size 2 or more.
def _layout_values(dtypes, *, min_rank=2):
    shape = st.integers(min_rank, 3).flatmap(lambda rank: tst.distinct_sizes(rank, min_size=2, max_size=4))
    return tst.tensors(shape, dtype=tst.dtypes(dtypes), contiguous=True)


# --- as_float32_tensor ---------------------------------------------------------


def _wrap_array(function, values, layout):
    array = _view(values, layout).numpy()
    outcome = _call(function, array)
    return {"tensor": outcome.result, "shares memory with the array": 0 in outcome.views}


array_values = _layout_values((torch.float32, torch.float64, torch.int64, torch.uint8))


@check("as_float32_tensor", values=array_values, layout=layouts)
def test_as_float32_tensor_shares_when_it_can(submission, reference, values, layout):
    learner, oracle = scenario(_wrap_array, submission.as_float32_tensor, reference.as_float32_tensor)
    agree(learner, oracle, values, layout,
          why="the array is wrapped as a float32 tensor: a float32 array (of any layout) shares "
              "its memory with the tensor, other dtypes are converted into a new float32 tensor")


@check("as_float32_tensor", values=array_values, layout=layouts)
def test_as_float32_tensor_matches_as_tensor(submission, values, layout):
    array = tst.relayout(values, layout).numpy()
    same(submission.as_float32_tensor(array), torch.as_tensor(array, dtype=torch.float32),
         what="as_float32_tensor(array)",
         why="torch.as_tensor(array, dtype=torch.float32) gives the same values, shape and dtype")


@check("as_float32_tensor")
def test_as_float32_tensor_shares_a_plain_float32_array(submission, reference):
    learner, oracle = scenario(_wrap_array, submission.as_float32_tensor, reference.as_float32_tensor)
    agree(learner, oracle, torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "contiguous",
          why="a contiguous float32 array needs no conversion and no copy: the tensor must share "
              "its memory, so that array[0, 0] = 99 shows up as tensor[0, 0] == 99")


@check("as_float32_tensor")
def test_as_float32_tensor_shares_a_non_contiguous_float32_array(submission, reference):
    learner, oracle = scenario(_wrap_array, submission.as_float32_tensor, reference.as_float32_tensor)
    agree(learner, oracle, torch.arange(6.0).reshape(2, 3), "permuted",
          why="a transposed float32 array (strides that are not C order) still needs no copy: "
              "torch.from_numpy accepts any non-negative strides, so the tensor must share its memory")


@check("as_float32_tensor")
def test_as_float32_tensor_of_a_tensor_turned_into_numpy(submission, reference):
    learner, oracle = scenario(_wrap_array, submission.as_float32_tensor, reference.as_float32_tensor)
    agree(learner, oracle, torch.ones(3, 4), "contiguous",
          why="points = torch.ones(3, 4); points.numpy() shares points' memory, and the tensor "
              "made from that array must share it too: all three look into one storage")


@check("as_float32_tensor")
def test_as_float32_tensor_converts_numpy_default_floats(submission, reference):
    array = np.arange(3.0)
    agree(submission.as_float32_tensor, reference.as_float32_tensor, array,
          why="np.arange(3.0) is float64, NumPy's default float; the result must be float32")


@check("as_float32_tensor")
def test_as_float32_tensor_of_a_0_dim_array(submission, reference):
    learner, oracle = scenario(_wrap_array, submission.as_float32_tensor, reference.as_float32_tensor)
    agree(learner, oracle, torch.tensor(2.5), "contiguous",
          why="an array of any shape includes a 0-dim one: np.float32(2.5) as an array gives a "
              "0-dim float32 tensor that shares its memory")


@check("as_float32_tensor")
def test_as_float32_tensor_keeps_integer_values(submission, reference):
    array = np.array([[0, 51, 255], [7, 300, 1000]], dtype=np.int64)
    agree(submission.as_float32_tensor, reference.as_float32_tensor, array,
          why="converting to float32 keeps the numbers: 51 becomes 51.0, not 0.2; "
              "only a dtype changes, nothing is rescaled")


# --- edited_row ----------------------------------------------------------------


@st.composite
def row_edits(draw):
    n, d = draw(tst.distinct_sizes(2, min_size=1, max_size=5))
    points = draw(tst.tensors((n, d), dtype=tst.dtypes(tst.FLOAT_DTYPES)))
    i, j = draw(tst.indices_into((n, d)))
    return points, i, j, draw(st.floats(-10, 10, width=32))


@check("edited_row", edit=row_edits())
def test_edited_row_leaves_points_alone(submission, reference, device, edit):
    points, i, j, value = edit
    points = points.to(device)
    agree(submission.edited_row, reference.edited_row, points, i, j, value,
          why="the result is a copy of row i with element j replaced; points itself must not change")


@st.composite
def column_major_edits(draw):
    n, d = draw(tst.distinct_sizes(2, min_size=2, max_size=5))
    points = tst.relayout(draw(tst.tensors((n, d), dtype=tst.dtypes(tst.FLOAT_DTYPES), contiguous=True)),
                          "permuted")
    i, j = draw(tst.indices_into((n, d)))
    return points, i, j, draw(st.floats(-10, 10, width=32))


@check("edited_row", edit=column_major_edits())
def test_edited_row_of_a_column_major_tensor(submission, reference, edit):
    points, i, j, value = edit
    agree(submission.edited_row, reference.edited_row, points, i, j, value,
          why=f"points has strides {points.stride()}, so its rows are not contiguous; the "
              "row must still be copied before the write, and points must not change")


@check("edited_row")
def test_edited_row_on_the_lesson_points(submission, reference):
    points = torch.tensor(POINTS)
    out = agree(submission.edited_row, reference.edited_row, points, 1, 0, 10.0,
                why="points[1] is a view: writing 10.0 into it would turn points into "
                    "[[4, 1], [10, 3], [2, 1]]; a clone keeps points as it was")
    out[1] = -1.0
    same(points, torch.tensor(POINTS), what="points after writing into the returned row",
         why="the returned row must share no memory with points")


# --- normalize_ ----------------------------------------------------------------


def _normalize_in_place(function, values, layout, device):
    x = _view(values, layout).to(device)
    outcome = _call(function, x)
    return {"returned": outcome.result, "x afterwards": x, "returned x (shares its memory)": 0 in outcome.views}


float_values = _layout_values(tst.FLOAT_DTYPES)


@check("normalize_", values=float_values, layout=layouts)
def test_normalize_changes_x_in_place(submission, reference, device, values, layout):
    learner, oracle = scenario(_normalize_in_place, submission.normalize_, reference.normalize_)
    agree(learner, oracle, values, layout, device,
          why="x itself is rescaled to [0, 1] with in-place operations, whatever its layout, "
              "and returned; when all its values are equal they all become 0")


@check("normalize_")
def test_normalize_equal_values_become_zero(submission, reference):
    learner, oracle = scenario(_normalize_in_place, submission.normalize_, reference.normalize_)
    agree(learner, oracle, torch.full((2, 3), 7.0), "contiguous", "cpu",
          why="all six values are 7, so max - min is 0: every element becomes 0 (not NaN)")


@check("normalize_")
def test_normalize_a_scalar_in_place(submission, reference):
    learner, oracle = scenario(_normalize_in_place, submission.normalize_, reference.normalize_)
    agree(learner, oracle, torch.tensor(3.0, dtype=torch.float64), "contiguous", "cpu",
          why="a 0-dim x has one value, so its max equals its min: it becomes 0 in place and x itself "
              "comes back, still 0-dim")


@check("normalize_")
def test_normalize_a_small_vector(submission):
    x = torch.tensor([2.0, 4.0, 6.0])
    outcome = _call(submission.normalize_, x)
    same(x, torch.tensor([0.0, 0.5, 1.0]), what="x after normalize_(x)",
         why="min 2 and max 6: (v - 2) / 4 maps 2, 4, 6 to 0, 0.5, 1")
    same(0 in outcome.views, True, what="whether normalize_(x) returned x",
         why="an in-place function returns the tensor it changed")


@check("normalize_")
def test_normalize_through_a_transposed_view(submission):
    points = torch.tensor(POINTS)
    submission.normalize_(points.t())
    same(points, torch.tensor([[0.75, 0.0], [1.0, 0.5], [0.25, 0.0]]),
         what="points after normalize_(points.t())",
         why="points.t() is a view with strides (1, 2) over the same storage, so rescaling it "
             "in place (min 1, max 5) rescales points too")


# --- roundtrip -----------------------------------------------------------------


def _save_and_load(function, values, layout):
    t = _view(values, layout)
    outcome = _call(function, t)
    loaded = outcome.result
    facts = {"loaded": loaded}
    if isinstance(loaded, torch.Tensor) and loaded.layout == torch.strided:
        facts["elements in its storage"] = loaded.untyped_storage().nbytes() // loaded.element_size()
        facts["shares memory with t"] = 0 in outcome.views
    return facts


any_values = _layout_values((torch.float32, torch.float64, torch.uint8, torch.int16), min_rank=1)


@check("roundtrip", values=any_values, layout=layouts)
def test_roundtrip_saves_only_the_elements_of_t(submission, reference, values, layout):
    learner, oracle = scenario(_save_and_load, submission.roundtrip, reference.roundtrip)
    agree(learner, oracle, values, layout,
          why="the loaded tensor equals t, owns a storage of exactly t.numel() elements even "
              "when t is a view into a larger tensor, and shares no memory with t")


@check("roundtrip", values=any_values)
def test_roundtrip_keeps_the_device(submission, reference, device, values):
    agree(submission.roundtrip, reference.roundtrip, values.to(device),
          why="torch.load puts each tensor back on the device it was saved from")


@check("roundtrip")
def test_roundtrip_of_one_point(submission, reference):
    learner, oracle = scenario(_save_and_load, submission.roundtrip, reference.roundtrip)
    out = agree(learner, oracle, torch.tensor(POINTS), "row 1",
                why="points[1] is a view of points' 6-element storage (offset 2); saving the view "
                    "itself would write all 6 numbers, a clone writes just its 2")
    same(out["loaded"], torch.tensor([5.0, 3.0]), what="roundtrip(points[1])")


@check("roundtrip")
def test_roundtrip_of_one_coordinate_column(submission, reference):
    learner, oracle = scenario(_save_and_load, submission.roundtrip, reference.roundtrip)
    agree(learner, oracle, torch.tensor(POINTS), "column 0",
          why="points[:, 0] = [4, 5, 2] is a view with stride 2 into points' 6-element storage; "
              "the loaded copy must hold just those 3 numbers")


@check("roundtrip")
def test_roundtrip_of_a_scalar(submission, reference):
    learner, oracle = scenario(_save_and_load, submission.roundtrip, reference.roundtrip)
    agree(learner, oracle, torch.tensor(4, dtype=torch.int16), "contiguous",
          why="a 0-dim int16 tensor comes back 0-dim and int16, owning its one element")


@check("roundtrip")
def test_roundtrip_keeps_an_integer_dtype(submission, reference):
    learner, oracle = scenario(_save_and_load, submission.roundtrip, reference.roundtrip)
    agree(learner, oracle, torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.uint8), "contiguous",
          why="a uint8 tensor comes back as uint8: torch.save keeps the dtype, "
              "a detour through Python numbers does not")


# --- read_rows -----------------------------------------------------------------


@st.composite
def hdf5_reads(draw):
    rows = draw(st.integers(1, 6))
    rest = draw(tst.shapes(min_rank=0, max_rank=2, min_side=1, max_side=4))
    dtype = draw(tst.dtypes((torch.float32, torch.float64, torch.int64, torch.uint8)))
    data = draw(tst.tensors((rows, *rest), dtype=dtype, contiguous=True)).numpy()
    start = draw(st.integers(-rows - 1, rows + 1))
    stop = draw(st.one_of(st.none(), st.integers(-rows - 1, rows + 1)))
    return data, draw(st.sampled_from(["coords", "images/train"])), start, stop


def _write_hdf5(path: Path, name: str, data: np.ndarray) -> None:
    import h5py

    with h5py.File(path, "w") as file:
        file.create_dataset(name, data=data)


@check("read_rows", read=hdf5_reads(), as_path=st.booleans())
def test_read_rows_reads_a_slice(submission, reference, read, as_path):
    data, name, start, stop = read
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.h5"
        _write_hdf5(path, name, data)
        out = agree(submission.read_rows, reference.read_rows, path if as_path else str(path), name, start, stop,
                    why=f"rows {start}:{stop} of the dataset, with Python's slice rules, as a tensor "
                        "of the dataset's dtype")
        same(out, torch.from_numpy(data[start:stop]), what=f"read_rows(path, {name!r}, {start}, {stop})",
             why=f"the same rows as data[{start}:{stop}] on the array that was written")


@contextlib.contextmanager
def _counting_h5py_reads():
    """Count the elements every h5py dataset read hands back while the block runs."""
    import h5py

    counted = []
    getitem, read_direct, as_array = h5py.Dataset.__getitem__, h5py.Dataset.read_direct, h5py.Dataset.__array__

    def counting_getitem(self, *args, **kwargs):
        out = getitem(self, *args, **kwargs)
        counted.append(int(np.size(out)))
        return out

    def counting_read_direct(self, dest, *args, **kwargs):
        counted.append(int(np.size(dest)))
        return read_direct(self, dest, *args, **kwargs)

    def counting_array(self, *args, **kwargs):
        counted.append(int(self.size))  # np.array(dataset) and np.asarray read it whole
        return as_array(self, *args, **kwargs)

    h5py.Dataset.__getitem__, h5py.Dataset.read_direct, h5py.Dataset.__array__ = (
        counting_getitem, counting_read_direct, counting_array)
    try:
        yield counted
    finally:
        h5py.Dataset.__getitem__, h5py.Dataset.read_direct, h5py.Dataset.__array__ = getitem, read_direct, as_array


def _read_rows_observed(function, data, name, start, stop):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.h5"
        _write_hdf5(path, name, data)
        with _counting_h5py_reads() as counted:
            rows = _call(function, str(path), name, start, stop).result
    if getattr(function, "recorded", False):
        # A recorded answer (a learner release) reads nothing: the solution read exactly the rows it gave.
        counted = [rows.numel() if isinstance(rows, torch.Tensor) else int(np.size(rows))]
    return {"rows": rows, "elements read from the file": sum(counted)}


@pytest.mark.in_process  # watches h5py in this process: a sandboxed submission reads in its own
@check("read_rows", read=hdf5_reads())
def test_read_rows_reads_only_the_requested_rows(submission, reference, read):
    data, name, start, stop = read
    learner, oracle = scenario(_read_rows_observed, submission.read_rows, reference.read_rows)
    agree(learner, oracle, data, name, start, stop,
          why=f"only rows {start}:{stop} may come from the file, in one slicing read; "
              "reading the whole dataset first and slicing in memory defeats the point of HDF5")


@pytest.mark.in_process
@check("read_rows")
def test_read_rows_reads_two_of_five_rows(submission, reference):
    learner, oracle = scenario(_read_rows_observed, submission.read_rows, reference.read_rows)
    agree(learner, oracle, np.arange(15.0).reshape(5, 3), "coords", 1, 3,
          why="rows 1:3 of a (5, 3) dataset are 6 elements: h5py must hand over those 6, not all 15")


@check("read_rows")
def test_read_rows_of_integer_rows(submission, reference):
    data = np.arange(10, dtype=np.int64).reshape(5, 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.h5"
        _write_hdf5(path, "coords", data)
        agree(submission.read_rows, reference.read_rows, path, "coords", 1, 3,
              why="rows 1:3 are rows 1 and 2 (stop excluded, as in Python), in the dataset's int64")


@check("read_rows")
def test_read_rows_last_two_points(submission):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ourpoints.hdf5"
        _write_hdf5(path, "coords", np.array(POINTS, dtype=np.float32))
        same(submission.read_rows(path, "coords", -2, None), torch.tensor(POINTS[1:]),
             what="read_rows(path, 'coords', -2, None)",
             why="start -2 counts from the end, stop None runs to the end: the last two points")
