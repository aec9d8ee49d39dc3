"""A local worker process: `python -m chainsym.batch.worker LIMITS` reads work lines on standard
input and writes one result line per item on standard output, in order, flushed each. It exits
when its input ends. Its own standard output is kept for results only: anything a library prints
goes to standard error. Ctrl-C is the parent's to handle: the worker ignores it and ends when the
parent closes its input or ends it."""

from __future__ import annotations

import json
import os
import signal
import sys

from ..limits import Limits
from . import job


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limits = Limits(**json.loads(argv[0])) if argv else Limits()
    results = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print can never corrupt the results
    from .. import api  # noqa: F401 — load SymPy and the library before the first item

    results.write("ready\n")
    results.flush()
    for line in sys.stdin:
        if line.strip():
            results.write(job.run_line(line, limits) + "\n")
            results.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
