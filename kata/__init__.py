"""torch-kata: learn PyTorch by making tests pass.

Each kata is a module here (``kata/tensors.py``, ``kata/autograd.py``, ...) with
functions for you to write; ``tests/test_<kata>.py`` says what they must do, and
``kata/solutions/`` holds the reference answers. Run ``make kata`` (or
``python -m kata``) to see your next step.
"""
