"""A Gradescope autograder for the course: ``tensorlings gradescope OUT.zip``.

- ``bundle``: writes the zip Gradescope takes (``setup.sh``, ``run_autograder`` and the course).
- ``autograder``: what ``run_autograder`` runs on Gradescope: grades the one submission.
"""
