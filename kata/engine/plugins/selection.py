"""``pytest -k <kata>`` imports that kata's test file alone.

No test of another kata has the kata's name in it (tests/engine checks that), so importing
the other test files would only cost time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kata.engine.curriculum import BY_NAME
from kata.engine.results import kata_of


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    keyword = config.getoption("keyword").strip().lower()
    other = kata_of(str(collection_path))
    return True if keyword in BY_NAME and other not in (None, keyword) else None
