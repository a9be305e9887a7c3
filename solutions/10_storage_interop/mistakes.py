"""Plausible wrong answers for exercise 10 (storage and interop), each named and explained."""

import io

import numpy as np
import torch

from grader.mistakes import mistake

# as_float32_tensor ------------------------------------------------------------


@mistake("as_float32_tensor", "made contiguous first",
         "np.ascontiguousarray copies an array that is not contiguous (a slice with a step, a "
         "transpose), so sharing breaks for those. torch.from_numpy accepts any non-negative "
         "strides: no need to rearrange the memory.")
def as_float32_contiguous_first(array):
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


@mistake("as_float32_tensor", "copied the array",
         "torch.tensor(array), np.array(array) and array.astype(np.float32) all make a new "
         "copy, even when the array already is float32, so the tensor no longer shares the "
         "array's memory. torch.from_numpy wraps the array's own memory instead.")
def as_float32_copied(array):
    return torch.tensor(array, dtype=torch.float32)


@mistake("as_float32_tensor", "kept NumPy's float64",
         "torch.from_numpy keeps the array's dtype, and NumPy's default float is float64. "
         "Convert with .to(torch.float32) (or .float()), which returns the same tensor "
         "without copying when it already is float32.")
def as_float32_keeps_dtype(array):
    return torch.from_numpy(array)


@mistake("as_float32_tensor", "rescaled integers",
         "Dividing integer pixels by 255 is right for images (exercise 09), but here the "
         "values must stay as they are: 7 becomes 7.0, only the dtype changes.")
def as_float32_rescaled(array):
    tensor = torch.from_numpy(array)
    return tensor.float() if tensor.is_floating_point() else tensor.float() / 255


# edited_row -------------------------------------------------------------------


@mistake("edited_row", "contiguous() is not a copy",
         "The row you wrote into still shares points' memory. contiguous() only copies when "
         "the tensor is not contiguous already, and a row of an ordinary tensor is contiguous, "
         "so you get the same view back and the write reaches points. clone() always copies.")
def edited_row_contiguous(points, i, j, value):
    row = points[i].contiguous()
    row[j] = value
    return row


@mistake("edited_row", "edited a view",
         "points[i] is a view: it shares points' memory, so writing into it changes points "
         "too (the lesson's points[1][0] = 10.0 example); detach() does not copy either. "
         "Call .clone() on the row first.")
def edited_row_view(points, i, j, value):
    row = points[i]
    row[j] = value
    return row


@mistake("edited_row", "kept the row axis",
         "points[i:i+1] is a (1, D) slice, not the (D,) row. Index with a plain integer, "
         "points[i], to drop the axis.")
def edited_row_slice(points, i, j, value):
    row = points[i:i + 1].clone()
    row[0, j] = value
    return row


# normalize_ -------------------------------------------------------------------


@mistake("normalize_", "changed a contiguous copy",
         "x.contiguous() is a COPY when x is not contiguous (a transpose, a slice with a "
         "step). The in-place operations then change that copy, and x stays as it was. "
         "Call sub_ and div_ on x itself: they work on any layout.")
def normalize_contiguous_copy(x):
    y = x.contiguous()
    low, high = y.min(), y.max()
    if low == high:
        return y.zero_()
    return y.sub_(low).div_(high - low)


@mistake("normalize_", "not in place",
         "(x - min) / (max - min) builds a new tensor and leaves x as it was. An in-place "
         "function changes x itself, with sub_ and div_, and returns x.")
def normalize_out_of_place(x):
    low, high = x.min(), x.max()
    if low == high:
        return torch.zeros_like(x)
    return (x - low) / (high - low)


@mistake("normalize_", "changed a reshaped copy",
         "reshape(-1) returns a view only when it can; for a non-contiguous x it returns a "
         "copy, so the in-place changes land in the copy and x is returned unchanged.")
def normalize_reshape_copy(x):
    flat = x.reshape(-1)
    low, high = flat.min(), flat.max()
    if low == high:
        flat.zero_()
    else:
        flat.sub_(low).div_(high - low)
    return x


@mistake("normalize_", "no guard for equal values",
         "When all elements are equal, max - min is 0 and dividing by it gives NaN. "
         "Handle that case first: every element becomes 0.")
def normalize_no_guard(x):
    low, high = x.min(), x.max()
    return x.sub_(low).div_(high - low)


@mistake("normalize_", "divided before subtracting",
         "Dividing by max - min first and subtracting min afterwards shifts by the wrong "
         "amount: the order is (x - min), then / (max - min).")
def normalize_wrong_order(x):
    low, high = x.min(), x.max()
    if low == high:
        return x.zero_()
    return x.div_(high - low).sub_(low)


# roundtrip --------------------------------------------------------------------


def _save_and_load(value):
    buffer = io.BytesIO()
    torch.save(value, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


@mistake("roundtrip", "saved a contiguous view",
         "t here is a contiguous view into a larger storage (a row, or a slice that starts at "
         "an offset). Saving it, or t.contiguous(), which returns t itself when t is already "
         "contiguous, writes the whole storage behind it. clone() makes a compact copy.")
def roundtrip_contiguous(t):
    return _save_and_load(t.contiguous())


@mistake("roundtrip", "saved the whole storage",
         "torch.save writes the entire storage behind a tensor, so saving a view (a row, a "
         "slice, an offset) writes and loads every element of the big tensor it looks into. "
         "Save t.clone(), which owns just t's elements.")
def roundtrip_whole_storage(t):
    return _save_and_load(t)


@mistake("roundtrip", "returned the input",
         "Returning t (or a view of it) skips the save and load: the result shares memory "
         "with t, so later changes to one show up in the other.")
def roundtrip_no_save(t):
    return t.view(t.shape)


@mistake("roundtrip", "saved a Python list",
         "tolist() drops the dtype: torch.tensor rebuilds integers as int64 and floats as "
         "float32. Save the tensor itself (a clone of it).")
def roundtrip_tolist(t):
    return torch.tensor(_save_and_load(t.tolist()), device=t.device)


# read_rows --------------------------------------------------------------------


@mistake("read_rows", "stop included",
         "Slices exclude their stop: rows start:stop are start, start + 1, ..., stop - 1, "
         "as with Python lists and tensors.")
def read_rows_inclusive(path, dataset, start, stop):
    import h5py

    with h5py.File(path, "r") as file:
        data = file[dataset]
        end = None if stop is None or stop == -1 else stop + 1
        return torch.from_numpy(data[start:end])


@mistake("read_rows", "read the whole dataset first",
         "dataset[()] (or dataset[:], or np.array(dataset)) loads every row into memory "
         "and only then slices: right values, but a dataset larger than memory cannot be "
         "read at all. Slice the dataset object itself, dataset[start:stop], so that h5py "
         "reads just those rows from the file.")
def read_rows_whole(path, dataset, start, stop):
    import h5py

    with h5py.File(path, "r") as file:
        return torch.from_numpy(file[dataset][()][start:stop].copy())


@mistake("read_rows", "returned a NumPy array",
         "Slicing an h5py dataset gives a NumPy array; the contract asks for a tensor. "
         "torch.from_numpy turns it into one without copying.")
def read_rows_numpy(path, dataset, start, stop):
    import h5py

    with h5py.File(path, "r") as file:
        return file[dataset][start:stop]


@mistake("read_rows", "forced float32",
         "torch.tensor(rows, dtype=torch.float32) (or .float()) changes integer and float64 "
         "data. Keep the dataset's dtype: torch.from_numpy does.")
def read_rows_float32(path, dataset, start, stop):
    import h5py

    with h5py.File(path, "r") as file:
        return torch.tensor(file[dataset][start:stop], dtype=torch.float32)


@mistake("read_rows", "sliced the columns",
         "dataset[:, start:stop] cuts the SECOND axis. Rows are the first axis: "
         "dataset[start:stop].")
def read_rows_columns(path, dataset, start, stop):
    import h5py

    with h5py.File(path, "r") as file:
        data = file[dataset]
        return torch.from_numpy(data[:, start:stop] if data.ndim > 1 else data[start:stop])
