"""Where the stages meet: the CLI (and later the server and worker) call these functions.

Stages never import each other; the pipeline hands one stage's output to the
next (DESIGN.md §2). One module per command (`inspect`, `sbom`, `scan`,
`secrets` …); callers import the one they need, so a command never pays for
another command's imports.
"""
