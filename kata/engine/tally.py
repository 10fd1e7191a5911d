"""What ``python -m kata`` makes of a run: how far the learner is, the kata and function they
are on, and how many of its hints they have seen (kept in ``.kata/state.json``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kata.engine.curriculum import CURRICULUM, ROOT, Kata
from kata.engine.runner import Progress

STATE = ROOT / ".kata" / "state.json"


def number(kata: Kata) -> int:
    """The kata's place in the curriculum, counted from 1."""
    return CURRICULUM.index(kata) + 1


def upcoming(progress: list[Progress]) -> Progress | None:
    """The first kata that is not done: the learner's next step (None: every one is done)."""
    return next((entry for entry in progress if not entry.done), None)


def failing_function(entry: Progress) -> str | None:
    """The learner's function the first failure is in: the stub that is not done yet, or
    where the error was raised."""
    message = (entry.first_failure or {}).get("message", "")
    found = re.search(r"not done yet: kata/\w+\.py::([\w.]+)", message) or re.search(
        r"\(raised in kata/\w+\.py, line \d+, in ([\w.]+)\)", message
    )
    return found.group(1) if found else None


@dataclass
class State:
    """What the learner's loop remembers between commands."""

    current: str | None = None  # the kata `next` last sent the learner to
    function: str | None = None  # the function the current kata's first failure is in
    hints: dict[str, int] = field(default_factory=dict)  # ladder key -> hints shown

    @classmethod
    def load(cls) -> State:
        """The saved state; a missing or unreadable file starts afresh."""
        try:
            return cls(**json.loads(STATE.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return cls()

    def save(self) -> None:
        STATE.parent.mkdir(exist_ok=True)
        STATE.write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")

    def follow(self, entry: Progress) -> None:
        """The learner is on this kata now, stuck in the function its first failure is in."""
        self.current = entry.kata.name
        self.function = failing_function(entry)

    def ladder(self, kata: Kata) -> tuple[str, tuple[str, ...]]:
        """(key, hints): the failing function's ladder if ``kata`` is the current one and
        that function has one, else the kata's."""
        return kata.hints_for(self.function if kata.name == self.current else None)

    def shown(self, key: str) -> int:
        """How many hints of the ladder the next step shows: the first, at least."""
        return max(1, self.hints.get(key, 0))

    def advance(self, key: str, count: int) -> int:
        """One more hint of a ``count``-hint ladder, up to its last: how many are shown now."""
        self.hints[key] = min(self.hints.get(key, 1) + 1, count)
        return self.hints[key]
