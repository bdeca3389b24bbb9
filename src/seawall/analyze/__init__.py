"""Analyzers over file views and the image config: secrets now, misconfiguration next.

Analyzers never read images, directories or repositories themselves and never
import `seawall.fs` or `seawall.source`: the pipeline walks a view once and
feeds each file's bytes (and the image config and history) to them
(DESIGN.md §2). They return findings and counts, never print or log a secret.
"""
