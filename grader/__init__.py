"""tensorlings: exercises on image tensors in PyTorch, and the framework that checks them.

What exercise tests use: ``check`` (tie a test to a function and give it
inputs), ``agree``, ``same``, ``expect`` and ``raises`` (compare and explain), and
``grader.strategies`` (shared Hypothesis strategies). Imports are lazy so
that the command line starts without loading torch.
"""

__all__ = ["check", "agree", "same", "expect", "raises"]


def __getattr__(name: str):
    if name == "check":
        from grader.checks import check

        return check
    if name in ("agree", "same", "expect", "raises"):
        from grader import compare

        return getattr(compare, name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
