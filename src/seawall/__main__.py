"""`python -m seawall` runs the command-line program."""

import sys

from seawall.cli.app import main

sys.exit(main())
