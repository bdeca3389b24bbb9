"""Catalogers: turn files into packages (DESIGN.md §2).

Each cataloger has a stable path-like NAME, an integer VERSION, a cheap
`wants(path)` predicate and a parse step over the files it wanted. Catalogers
never know whether the files came from a directory or an image.
"""
