"""Run the command line as `python -m monitor`."""

import sys

from .cli import main

sys.exit(main())
