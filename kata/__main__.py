"""``python -m kata``: the learner's loop without make."""

import signal
import sys

from kata.engine.cli import main

if hasattr(signal, "SIGPIPE"):  # `python -m kata | head` ends quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
