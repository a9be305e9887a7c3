"""``tensorlings watch``: re-check the exercise you save, in a fresh child of a warm process.

``events`` feeds one queue from a file watcher and a key reader; ``screen``
draws the state; ``app`` holds the state and runs the loop.
"""

from grader.watch.app import watch

__all__ = ["watch"]
