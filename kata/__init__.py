"""torch-kata: learn PyTorch by making tests pass.

Each kata is a module here (``kata/tensors.py``, ``kata/autograd.py``, ...) with
functions for you to write; ``tests/test_<kata>.py`` says what they must do, and
``kata/solutions/`` holds the reference answers. Run ``make kata`` (or
``python -m kata``) to see your next step.

In a notebook: ``import kata; kata.check("autograd")`` runs that kata's tests and shows
the next step; ``%load_ext kata`` adds ``%kata_check autograd``.
"""


def check(kata=None, /, **functions):
    """Run a kata's tests (none named: the curriculum's), with functions of your notebook in
    place of your file's if you pass them (``kata.check("autograd", grad_of=my_grad_of)``),
    and show the table, the next failing test and its hint."""
    from kata.engine import notebook  # on the first call: `import kata` stays cheap

    return notebook.check(kata, **functions)


def load_ipython_extension(ipython):
    """``%load_ext kata``: the ``%kata_check KATA [name=variable ...]`` magic."""
    from kata.engine import notebook

    notebook.load_ipython_extension(ipython)
