"""The `seawall` command-line program: options, pipeline calls, exit codes."""
