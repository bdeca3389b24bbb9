"""Image sources: the only code that reads tarballs, OCI layouts, registries and directories.

A source turns a TARGET into an `ImageSource`: the image's description and a
verified, decompressed tar stream per layer (DESIGN.md §2).
"""
