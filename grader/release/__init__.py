"""Handing the course out: learner releases without solutions, and nbgrader assignments.

One source of truth (the exercise folders, ``solutions/`` and ``course.yml``)
produces every form: ``build`` writes a learner copy whose checks replay
recorded cases, ``notebooks`` writes an nbgrader course directory and reads
students' notebooks back as exercise modules.
"""
