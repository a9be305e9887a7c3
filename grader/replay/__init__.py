"""Recorded cases: how a learner release checks work without solutions.

A release records, for each check, the inputs the ``grade`` profile draws,
every output of the reference solution on them, and what each known mistake
gives on the same inputs. In a course whose root has no ``solutions/``
folder, ``@check`` replays those cases through the very same test functions
instead of drawing new inputs, and the ``reference`` fixture looks its
answers up in the recording. Grading replays the same way, from a recording
made once per run.

One job per module:

- ``store``: the recording file (format, where it lives, reading and writing).
- ``modes``: whether a check draws, records or replays (one ``Mode`` per pytest run).
- ``fingerprint``: the key a recorded answer is looked up by.
- ``recorder``: recording cases and answers while the checks run against the solution.
- ``replayer``: recorded answers by function, and a check run once per recorded case.
- ``placement``: where each recorded output tensor goes on replay (inputs', an argument's, or a fixed device).
- ``private_files``: copies of a call's files for the mistakes the recorder runs after the check.
- ``bindings``: what ``reference`` and ``submission`` are bound to when checks replay.

Recordings are plain data written and read with ``grader.codec``: a release
never unpickles code. An output is keyed by a fingerprint of its arguments'
dtypes, shapes and values (not their memory layout or device), so the same
call made while replaying finds it; ``placement`` says on which device each
recorded output tensor is replayed.
"""

from grader.replay.bindings import (
    RecordedFunction,
    RecordedReference,
    RecordedSubmission,
    known_mistakes,
    live_calls,
    recorded_reference,
    recorded_submission,
)
from grader.replay.fingerprint import fingerprint, has_path
from grader.replay.modes import (
    ENV,
    Mode,
    available,
    for_run,
    forced,
    load_cases,
    replays,
    replays_folder,
    seeded,
)
from grader.replay.recorder import Recorder, recorded_test, recording_fixture
from grader.replay.replayer import RecordedTable, replay_cases, tables
from grader.replay.store import FILENAME, FOLDER, FORMAT, RecordingMissing, case_size, read, test_key

__all__ = [
    "ENV", "FILENAME", "FOLDER", "FORMAT", "Mode", "RecordedFunction", "RecordedReference", "RecordedSubmission",
    "RecordedTable", "Recorder", "RecordingMissing", "available", "case_size", "fingerprint", "for_run", "forced",
    "has_path", "known_mistakes", "live_calls", "load_cases", "read", "recorded_reference", "recorded_submission",
    "recorded_test", "recording_fixture", "replay_cases", "replays", "replays_folder", "seeded", "tables", "test_key",
]
