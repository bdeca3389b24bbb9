"""Value types shared by every stage: images, layers, files, problems, progress.

Stages import from here and never from each other (DESIGN.md §2).
"""
