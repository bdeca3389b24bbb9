"""`python -m seawall` runs the command-line program."""

import sys

from seawall.cli.launch import main

sys.exit(main())
