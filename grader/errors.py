"""The base of every error a user can cause and fix: the CLI prints its message, not a traceback.

Anything else that escapes a command is a bug in the framework and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (a file, a folder, an argument): its message says what to do."""
