"""Peak memory of the grader when a student answers every batched call with a large reply.

    python benchmarks/reply_memory.py [EXERCISE] [MEGABYTES]

Grades one such student in this process (one slot, so the slot is this process) and prints
the grader's peak resident memory (``ru_maxrss``) next to a correct student's, both graded
the same way. Replies kept all at once grow the peak by (calls x reply size); replies taken
one at a time grow it by about one reply.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mib(exercise: str, source: str) -> tuple[float, float]:
    """(peak MiB, score) of grading one student whose module is ``source``, in a fresh process."""
    script = f"""
import resource, sys, tempfile
from pathlib import Path
from grader.course import load_course
from grader.grading.engine import Options, grade_class
tree = load_course(Path({str(ROOT)!r}))
exercise = tree.manifest.exercise({exercise!r})
with tempfile.TemporaryDirectory() as tmp:
    student = Path(tmp) / "class" / "student" / "exercises" / exercise.id
    student.mkdir(parents=True)
    (student / exercise.module).write_text(sys.stdin.read())
    grades, _ = grade_class(tree, Path(tmp) / "class", Path(tmp) / "out",
                            Options(jobs=1, exercises=[exercise.id], write_reports=False))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, grades[0].score)
"""
    done = subprocess.run([sys.executable, "-c", script], input=source, capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), check=True)
    peak, score = done.stdout.split()[-2:]
    return float(peak), float(score)


def main(argv: list[str]) -> int:
    exercise = argv[0] if argv else "03_strides"
    megabytes = int(argv[1]) if len(argv) > 1 else 24
    sys.path.insert(0, str(ROOT))
    from grader.course import load_course

    tree = load_course(ROOT)
    info = tree.manifest.exercise(exercise)
    solution = (ROOT / "solutions" / exercise / info.module).read_text()
    elements = megabytes * (1 << 20) // 4
    flood = solution + "\n\nimport torch as _torch\n" + "".join(
        f"\n\ndef {f.name}(*args, **kwargs):\n    return _torch.zeros({elements})\n" for f in info.functions)
    honest_peak, honest_score = _peak_mib(exercise, solution)
    flood_peak, flood_score = _peak_mib(exercise, flood)
    print(f"correct student:               peak {honest_peak:7.0f} MiB  (score {honest_score:g})")
    print(f"{megabytes} MB reply to every call:  peak {flood_peak:7.0f} MiB  (score {flood_score:g})")
    print(f"grown by {flood_peak - honest_peak:.0f} MiB ({resource.getpagesize()} B pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
