"""The resident process: `seawall` commands run in a fork of a process that has imported seawall.

A Python program pays its start-up on every run: the interpreter, the
imports, and the creation of every class (about 0.15 s for a warm
`seawall sbom`, against a few ms of work). `seawall daemon start` leaves one
process per user and installation that has done all of that once; while it
runs, the `seawall` console script (`cli/launch.py`) hands each command,
with its standard streams, working directory, environment and umask, to a
fork of it, and exits with the command's status (docs/architecture.md,
"The resident process").

- `wire`: where the socket is and how a request is written and read;
- `client`: the thin client the console script runs first;
- `server`: the resident process itself;
- `control`: start, stop and status, for `seawall daemon`.
"""
