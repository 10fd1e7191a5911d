"""Hypothesis profiles, all of them: what each is for, and which one a run gets.

- ``learner``, loaded on import, so the default: quick feedback, 25 examples per property.
  Only this profile keeps an example database: a failing example replays until it passes.
- ``ci`` (``make test``, ``--hypothesis-profile=ci``): more examples, derandomized.
- ``variants`` (``python -m kata variants``): a few examples, the same ones every time.
- ``stress`` (``python -m kata stress``): the learner's, without the database.
- ``stub``: loaded for ``--impl=stub``, whatever ``--hypothesis-profile`` says.

Torch's first calls are slow, so no profile has a deadline. The explain phase reruns a
failing test hundreds of times (seconds per test on a stub): no profile has it. Every
profile starts from hypothesis' defaults, not from whatever loaded first (with CI set,
hypothesis loads its own ``ci`` profile, which has no example database). The maintainers'
profiles write nothing to .hypothesis/, so no example found on a broken variant reaches a
learner.
"""

from __future__ import annotations

import hypothesis
import pytest

_DEFAULT = hypothesis.settings.get_profile("default")
_PHASES = [p for p in hypothesis.Phase if p is not hypothesis.Phase.explain]

LEARNER = "learner"
STUB = "stub"

hypothesis.settings.register_profile(
    LEARNER, _DEFAULT, max_examples=25, deadline=None, phases=_PHASES
)
hypothesis.settings.register_profile(
    "ci",
    _DEFAULT,
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=_PHASES,
)
# The variants run each kata's tests once per variant: fewer examples, and the same ones
# every time, so that whether a broken variant is caught never depends on luck. A variant
# only needs a failing example, not the smallest one: no shrinking.
hypothesis.settings.register_profile(
    "variants",
    _DEFAULT,
    database=None,
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
# The stress runs look for tests that fail correct code by luck, as a learner runs them,
# each run with fresh examples: nothing is replayed from the database, nor saved to it.
hypothesis.settings.register_profile(
    "stress", hypothesis.settings.get_profile(LEARNER), database=None, print_blob=True
)
# A stub fails on the first example; shrinking it would only burn time.
hypothesis.settings.register_profile(
    STUB,
    _DEFAULT,
    max_examples=10,
    deadline=None,
    database=None,
    phases=[hypothesis.Phase.generate],
)
hypothesis.settings.load_profile(LEARNER)


@pytest.hookimpl(trylast=True)  # after hypothesis has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("impl", None) == "stub":
        hypothesis.settings.load_profile(STUB)
