"""`python -m chainsym` runs the same command as `chainsym`."""

import sys

from .cli import main

sys.exit(main())
