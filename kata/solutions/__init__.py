"""Reference solutions: one module per kata, with the same API as ``kata/<kata>.py``.

The learner's stubs in ``kata/`` are generated from these (``python -m kata stubs --write``).
"""
