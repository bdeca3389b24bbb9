"""Java catalogers: Maven packages in jar/war/ear and friends (`java/archive`)."""

from seawall.catalog.lang.java.archive import JavaArchiveCataloger

__all__ = ["JavaArchiveCataloger"]
