"""Where a finding sits: in the base image or in the layers the application added, and on PATH.

**Base image vs application** (from the image history, OCI image spec
config.md `history`): a base image's history ends with its default command
(`CMD`, or `ENTRYPOINT`), an empty-layer entry; an image built `FROM` it
repeats the base's history, then adds its own entries. So, walking the
history backwards, skip the image's own trailing empty entries (its
`CMD`/`ENTRYPOINT`/`EXPOSE` …); the first `CMD` or `ENTRYPOINT` entry met
after that ends the base image, and the layers made by the non-empty entries
before it are the base's. The history must account for every layer (as many
non-empty entries as layers), else the split is unknown. An image with no
application layers (the base image itself) has no such entry and is unknown
too. Multi-stage builds copy files, not history, so only the final `FROM`
counts, which is the base the image actually ships.

**On PATH**: the inventory records where the evidence of a package is, not
every file the package owns (a dpkg package's evidence is
`/var/lib/dpkg/status`). Binaries found as files (Go and Rust executables,
cataloged from the binary itself) have their own path as evidence; those in
a directory of the image's `PATH` (the config's env, else the usual Linux
default) count as on PATH. For every other package the data cannot tell, and
the risk score treats it as unknown.
"""

import posixpath

from seawall.model.image import HistoryEntry, Image
from seawall.model.package import Package

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_BASE_END = ("CMD", "ENTRYPOINT")
EXECUTABLE_CATALOGERS = frozenset({"go/binary", "rust/auditable"})
"""Catalogers whose evidence is the executable itself (catalog/lang/go, catalog/lang/rust)."""


def _instruction(entry: HistoryEntry) -> str:
    """The Dockerfile instruction of a history entry (`CMD`, `RUN`, `COPY` …)."""
    text = (entry.created_by or "").strip()
    if text.startswith("/bin/sh -c #(nop)"):
        text = text[len("/bin/sh -c #(nop)") :].strip()
    elif text.startswith("/bin/sh -c "):
        return "RUN"
    word = text.split(" ", 1)[0] if text else ""
    return word.upper() if word.isalpha() else ""


def base_layer_count(image: Image | None) -> int | None:
    """How many bottom layers the base image made, or None when the history cannot say."""
    if image is None or not image.history or not image.layers:
        return None
    history = image.history
    if sum(1 for entry in history if not entry.empty_layer) != len(image.layers):
        return None
    end = len(history)
    while end > 0 and history[end - 1].empty_layer:
        end -= 1
    for index in range(end - 1, -1, -1):
        entry = history[index]
        if entry.empty_layer and _instruction(entry) in _BASE_END:
            return sum(1 for before in history[:index] if not before.empty_layer)
    return None


def path_directories(image: Image | None) -> tuple[str, ...]:
    value = DEFAULT_PATH
    if image is not None:
        for name, env_value in image.config.env:
            if name == "PATH":
                value = env_value
    return tuple(posixpath.normpath(part) for part in value.split(":") if part.startswith("/"))


def on_path(package: Package, directories: tuple[str, ...]) -> bool | None:
    """True when the package is an executable in a PATH directory, False when it is an
    executable elsewhere, None when the inventory cannot tell (see the module docstring)."""
    if package.cataloger not in EXECUTABLE_CATALOGERS or not package.locations:
        return None
    for location in package.locations:
        parent = posixpath.dirname(posixpath.normpath("/" + location.path.lstrip("/")))
        if parent in directories:
            return True
    return False
