"""The `seawall` command-line program: parses options, calls the pipeline, maps errors to exit codes."""
