"""`python -m seawall` runs the command-line program."""

from seawall.cli.app import main

main()
