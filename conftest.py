"""The test suite's wiring: pytest plugins from ``kata/engine``, one job each.

Their options are in the ``kata`` group of ``pytest --help``; each plugin's docstring says
what it does. They are imported in this order, each before any module that imports it.
"""

pytest_plugins = [
    "kata.engine.plugins.profiles",  # hypothesis profiles: learner (default), ci, variants...
    "kata.engine.plugins.implementation",  # --impl: the learner's files, references or stubs
    "kata.engine.results",  # --kata-results: each test's outcome, for `python -m kata`
    "kata.engine.plugins.stub_proof",  # --impl=stub: every kata test fails on fresh stubs
    "kata.engine.guard",  # learner protection: time limits, import-time state, reports
    "kata.engine.plugins.explain",  # failure reports: the learner's tensors, torch's errors
    "kata.engine.plugins.devices",  # the device fixtures; devices this machine lacks skip
    "kata.engine.plugins.selection",  # `pytest -k <kata>` imports that kata's tests alone
    # Last: on import it sets the thread count, snapshots the global torch state and then
    # freezes what all of these imported; each test starts from that state, with its seed.
    "kata.engine.plugins.isolation",
]
