"""The test suite's pytest plugins, one job each; the root ``conftest.py`` lists them.

Each is an ordinary module of hooks and fixtures, usable alone with ``pytest -p <module>``.
Every option any of them adds is in one group of ``pytest --help``: ``option_group``.
"""

from __future__ import annotations

import pytest

GROUP = "kata"


def option_group(parser: pytest.Parser) -> pytest.OptionGroup:
    """The ``kata`` group of ``pytest --help``, where every option of the suite goes."""
    return parser.getgroup(GROUP, "torch-kata")
