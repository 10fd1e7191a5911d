"""``python -m kata``: the learner's loop without make."""

import sys

from kata.engine.cli import main

sys.exit(main())
