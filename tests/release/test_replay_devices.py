"""A recorded output is replayed on the device its recording says, not always on its inputs' device.

Recordings are made on the CPU. Replayed with inputs on another device (a stand-in ``cuda``
here, tests/stand_in_gpu.py), an output that follows its inputs moves with them, one that is always on the CPU
stays there, and one on the device an argument names goes there.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader import agree, codec, replay
from grader.compare import CallOutcome
from grader.grading import cache
from grader.outcomes import Mismatch
from grader.replay import placement, store
from grader.replay.bindings import RecordedFunction
from grader.replay.replayer import tables
from grader.replay.store import FILENAME, FOLDER
from tests.stand_in_gpu import on_stand_in, use_stand_in_gpu


def follow(x):
    return x * 2


def to_cpu(x):
    return x.detach().cpu() * 2


def move(x, device):
    return x.to(device)


def scores_on(x, device):
    """Computes on ``device``, hands the answer back on the CPU (07's linear_scores)."""
    layer = nn.Linear(x.shape[-1], 2).to(device)
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.zero_()
        return layer(x.to(device)).cpu()


def pair(x):
    return x.cpu() + 1, x + 1


MISTAKES = '''
from grader.mistakes import mistake


@mistake("move", "ignored the device", "x.to(device) moves it.")
def move_stays(x, device):
    return x.clone()
'''


class _Tree:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def mistakes_path(self, exercise):
        return self.folder / "mistakes.py"


def _record(tmp_path: Path, calls) -> dict:
    """Record ``(function, args)`` calls on the CPU, as a release does; the replay tables."""
    (tmp_path / "mistakes.py").write_text(MISTAKES)
    recorder = replay.Recorder(tmp_path / "out")
    exercise = SimpleNamespace(id="01_devices")
    recorder._exercise(exercise.id)
    for function, args in calls:
        from grader.compare import _clone, run_local

        pristine = _clone(tuple(args))
        recorder.record(_Tree(tmp_path), exercise, function.__name__, function, pristine, {},
                        run_local(function, args, {}))
    recorder.save()
    return tables(tmp_path / "out" / exercise.id)


def test_each_output_is_replayed_where_its_recording_says(tmp_path, monkeypatch):
    use_stand_in_gpu(monkeypatch)
    x = torch.arange(6.0).reshape(2, 3)
    recorded = _record(tmp_path, [(follow, (x,)), (to_cpu, (x,)), (move, (x, "cpu")), (pair, (x,))])
    on_gpu = on_stand_in(x)

    assert recorded["follow"].outcome((on_gpu,), {}).result.device.type == "cuda"
    assert recorded["to_cpu"].outcome((on_gpu,), {}).result.device.type == "cpu"
    assert torch.equal(recorded["to_cpu"].outcome((on_gpu,), {}).result, x * 2)
    # The device named by an argument: the CPU call's answer, put where this call asks.
    assert recorded["move"].outcome((x, "cuda"), {}).result.device.type == "cuda"
    assert recorded["move"].outcome((on_gpu, torch.device("cpu")), {}).result.device.type == "cpu"
    first, second = recorded["pair"].outcome((on_gpu,), {}).result
    assert (first.device.type, second.device.type) == ("cpu", "cuda")


def test_a_function_that_always_returns_cpu_tensors_is_judged_right_with_inputs_on_the_gpu(tmp_path, monkeypatch):
    use_stand_in_gpu(monkeypatch)
    x = torch.arange(6.0).reshape(2, 3)
    recorded = _record(tmp_path, [(to_cpu, (x,)), (follow, (x,)), (move, (x, "cpu"))])
    on_gpu = on_stand_in(x)
    agree(_Worker(to_cpu), RecordedFunction(recorded["to_cpu"]), on_gpu)
    agree(_Worker(follow), RecordedFunction(recorded["follow"]), on_gpu)
    agree(_Worker(move, "move"), RecordedFunction(recorded["move"]), on_gpu, "cpu")
    agree(_Worker(_stand_in_move, "move"), RecordedFunction(recorded["move"]), x, "cuda")
    # Were every output moved to its inputs' device, the right answer would be judged wrong.
    with pytest.raises(Mismatch, match="on cpu; expected one on cuda"):
        agree(_Worker(to_cpu), RecordedFunction(recorded["follow"]), on_gpu)


def _stand_in_move(x, device):
    """``move`` on a machine whose cuda is the stand-in."""
    return on_stand_in(x) if str(device).startswith("cuda") else x.to(device)


class _Worker:
    """A student's function as grading calls it: the outcome comes back whole (no memory to inspect
    here: the stand-in GPU has none)."""

    def __init__(self, function, name: str | None = None) -> None:
        self.name = self.__name__ = name or function.__name__
        self._function = function

    def call(self, args, kwargs):
        return CallOutcome(self._function(*args, **kwargs))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device; the stand-in tests above run everywhere")
def test_on_a_real_gpu_each_recorded_output_lands_where_the_function_puts_it(tmp_path):
    x = torch.arange(6.0).reshape(2, 3)
    recorded = _record(tmp_path, [(follow, (x,)), (to_cpu, (x,)), (move, (x, "cpu")), (scores_on, (x, "cpu"))])
    on_gpu = x.cuda()
    for name, function, args in [("follow", follow, (on_gpu,)), ("to_cpu", to_cpu, (on_gpu,)),
                                 ("move", move, (x, "cuda")), ("move", move, (on_gpu, "cpu")),
                                 ("scores_on", scores_on, (x, "cuda"))]:
        agree(function, RecordedFunction(recorded[name]), *args)
        assert recorded[name].outcome(args, {}).result.device.type == function(*args).device.type


def test_a_module_moved_to_the_device_argument_and_back_is_recorded_as_cpu(tmp_path):
    x = torch.arange(6.0).reshape(2, 3)
    [placements] = [entry["solution"]["placement"]
                    for entry in _record(tmp_path, [(scores_on, (x, "cpu"))])["scores_on"].calls.values()]
    assert placements == ["device:cpu"]


def test_a_known_mistake_has_its_own_placement(tmp_path, monkeypatch):
    use_stand_in_gpu(monkeypatch)
    x = torch.arange(6.0).reshape(2, 3)
    recorded = _record(tmp_path, [(move, (x, "cpu"))])
    [entry] = recorded["move"].calls.values()
    assert entry["solution"]["placement"] == ["argument 2"]
    assert entry["mistakes"]["ignored the device"]["placement"] == ["inputs"]
    assert recorded["move"].outcome((x, "cuda"), {}).result.device.type == "cuda"
    assert recorded["move"].outcome((x, "cuda"), {}, "ignored the device").result.device.type == "cpu"


def test_placements_of_outputs_on_the_recording_machine():
    x = torch.ones(2, 3)
    assert placement.describe(move, (x, "meta"), {}, move(x, "meta")) == ["argument 2"]
    assert placement.describe(follow, (x.to("meta"),), {}, follow(x.to("meta"))) == ["inputs"]
    assert placement.describe(lambda: torch.zeros(2), (), {}, torch.zeros(2)) == ["device:cpu"]
    assert placement.describe(to_cpu, (x,), {}, to_cpu(x)) == ["device:cpu"]
    # A function the stand-in cannot run (it reads a value) follows its inputs, as torch's operations do.
    reads = lambda x: x * x.sum().item()  # noqa: E731
    assert placement.describe(reads, (x,), {}, reads(x)) == ["inputs"]
    assert placement.describe(lambda x: x.sum().item(), (x,), {}, 6.0) == []


def test_a_probe_leaves_the_random_state_and_the_arguments_as_they_were():
    x = torch.ones(2, 3)
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    assert placement.describe(scores_on, (x, "cpu"), {}, scores_on(x, "cpu")) == ["device:cpu"]
    torch.manual_seed(5)
    placement.describe(scores_on, (x, "cpu"), {}, torch.zeros(2))
    assert torch.equal(torch.rand(3), expected)
    assert x.device.type == "cpu" and torch.equal(x, torch.ones(2, 3))


def test_a_device_argument_counts_as_a_device_in_the_key_but_meta_and_layout_keys_keep_it():
    x = torch.arange(4.0)
    cpu = replay.fingerprint((x, "cpu"), {})
    assert replay.fingerprint((x, "cuda"), {}) == cpu == replay.fingerprint((x, torch.device("cuda:0")), {})
    assert replay.fingerprint((x, "meta"), {}) != cpu
    assert replay.fingerprint((x, "cpu-ish"), {}) != cpu
    # A student's batched answer is looked up by the layout key: there every device counts.
    assert replay.fingerprint((x, "cuda"), {}, layout=True) != replay.fingerprint((x, "cpu"), {}, layout=True)


def test_the_mistakes_run_after_the_test_on_private_copies_of_its_files(tmp_path):
    """A check that watches what the call does (the reads it makes) sees only the call."""
    data = tmp_path / "data.bin"
    data.write_bytes(b"abc")
    seen = []

    def read(path):
        seen.append(path)
        return torch.tensor(list(Path(path).read_bytes()))

    (tmp_path / "mistakes.py").write_text(
        "from pathlib import Path\nimport torch\nfrom grader.mistakes import mistake\n\n"
        "@mistake('read', 'read twice', 'Once is enough.')\n"
        "def read_twice(path):\n    return torch.tensor(list(Path(path).read_bytes() * 2))\n")
    recorder = replay.Recorder(tmp_path / "out")
    exercise = SimpleNamespace(id="01_files")
    from grader.compare import run_local

    recorder.record(_Tree(tmp_path), exercise, "read", read, (str(data),), {}, run_local(read, (str(data),), {}))
    [entry] = recorder.exercises["01_files"]["functions"]["read"]["calls"].values()
    assert entry["mistakes"] == {}  # not yet: the check's own call is all it sees
    data.unlink()  # the check's temporary file is gone when its test returns
    recorder.finish_pending()
    assert codec.loads(entry["mistakes"]["read twice"]["result"]).tolist() == list(b"abcabc")
    assert seen == [str(data)]


def test_a_recording_of_the_previous_format_is_refused_so_it_is_made_again(tmp_path):
    folder = tmp_path / "01_x"
    (folder / FOLDER).mkdir(parents=True)
    path = folder / FOLDER / FILENAME
    with gzip.open(path, "wb") as handle:
        handle.write(codec.dumps({"format": store.FORMAT - 1, "exercise": "01_x", "tests": {}, "functions": {}}))
    with pytest.raises(RuntimeError, match="another version of tensorlings; rebuild the release"):
        replay.load_cases(folder)


def test_grading_caches_recordings_under_the_frameworks_own_version(monkeypatch):
    """Changing the replay code changes every exercise's cache key: stale recordings are made again."""
    monkeypatch.setattr(cache, "_framework_hash", None)
    first = cache.framework_version()
    monkeypatch.setattr(cache, "_framework_hash", None)
    monkeypatch.setattr(cache, "_digest", lambda paths, relative_to, digest=None: _Fixed("changed"))
    assert cache.framework_version() != first


class _Fixed:
    def __init__(self, text: str) -> None:
        self.text = text

    def hexdigest(self) -> str:
        return self.text


def test_the_mistakes_of_a_call_without_files_run_at_once_in_the_state_the_check_set_up(tmp_path, monkeypatch):
    """best_device's check patches torch.cuda.is_available per call: each mistake must see that patch."""
    (tmp_path / "mistakes.py").write_text(
        "import torch\nfrom grader.mistakes import mistake\n\n"
        "@mistake('best', 'a string', 'A torch.device, please.')\n"
        "def best_string():\n    return 'cuda' if torch.cuda.is_available() else 'cpu'\n")

    def best():
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")

    recorder = replay.Recorder(tmp_path / "out")
    from grader.compare import run_local

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    recorder.record(_Tree(tmp_path), SimpleNamespace(id="01_best"), "best", best, (), {}, run_local(best, (), {}))
    monkeypatch.undo()
    recorder.finish_pending()
    [entry] = recorder.exercises["01_best"]["functions"]["best"]["calls"].values()
    assert codec.loads(entry["mistakes"]["a string"]["result"]) == "cuda"


def test_a_recorded_mistake_that_raised_replays_as_a_crash_of_the_function_not_a_grader_error(tmp_path):
    """validate in a release swaps recorded mistakes in as the submission: one that raised must be caught."""
    from grader.replay.bindings import RecordedSubmittedFunction
    from grader.results import Kind

    x = torch.arange(6.0).reshape(2, 3)
    (tmp_path / "mistakes.py").write_text(
        "from grader.mistakes import mistake\n\n"
        "@mistake('follow', 'refuses', 'It should not raise.')\n"
        "def follow_refuses(x):\n    raise ValueError('cannot follow')\n")
    recorder = replay.Recorder(tmp_path / "out")
    from grader.compare import run_local

    recorder.record(_Tree(tmp_path), SimpleNamespace(id="01_x"), "follow", follow, (x.clone(),), {},
                    run_local(follow, (x,), {}))
    recorder.save()
    submitted = RecordedSubmittedFunction(tables(tmp_path / "out" / "01_x")["follow"], "refuses")
    with pytest.raises(Mismatch) as raised:
        submitted(x)
    assert raised.value.failure.kind == Kind.CRASH and raised.value.failure.error_type == "ValueError"
    assert "cannot follow" in raised.value.failure.summary


def test_a_check_that_pretends_a_gpu_is_there_gets_the_answer_recorded_for_that_machine(tmp_path, monkeypatch):
    """07's best_device check patches torch.cuda/mps.is_available per call: one key per pretended machine."""

    def best():
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available()
                            else "cpu")

    (tmp_path / "mistakes.py").write_text("")
    recorder = replay.Recorder(tmp_path / "out")
    from grader.compare import run_local

    machines = [(False, False), (False, True), (True, False)]
    for cuda, mps in machines:
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda mps=mps: mps)
        recorder.record(_Tree(tmp_path), SimpleNamespace(id="01_best"), "best", best, (), {}, run_local(best, (), {}))
    recorder.save()
    recorded = RecordedFunction(tables(tmp_path / "out" / "01_best")["best"])
    for (cuda, mps), expected in zip(reversed(machines), ["cuda", "mps", "cpu"]):
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda mps=mps: mps)
        assert recorded() == torch.device(expected)
    monkeypatch.undo()
    with pytest.raises(replay.RecordingMissing):  # this machine, unpatched, was never recorded
        recorded()
    assert not torch.cuda.is_initialized()
