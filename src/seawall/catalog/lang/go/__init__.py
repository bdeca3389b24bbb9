"""Go catalogers: build information in executables (`go/binary`) and go.mod/go.sum (`go/mod`)."""

from seawall.catalog.lang.go.binary import GoBinaryCataloger
from seawall.catalog.lang.go.gomod import GoModCataloger

__all__ = ["GoBinaryCataloger", "GoModCataloger"]
