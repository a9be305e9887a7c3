"""Grading a whole class: sandboxed workers, a parallel engine, and reports."""
