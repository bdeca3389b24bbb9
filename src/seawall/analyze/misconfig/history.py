"""Reading an image's build history: which layer each step made, and where the base ends.

**The own-layers rule.** An image config does not record where its base image
ends, so seawall infers it from the history (OCI image spec config.md,
`history`): a Dockerfile's CMD or ENTRYPOINT normally comes at its end, and
every official base image ends with one (`CMD ["bash"]`, `CMD ["/bin/sh"]`).
The base therefore ends at the **last CMD/ENTRYPOINT history entry that is
followed by at least one layer-creating entry**; the image's *own* layers are
the layers after it. When no such entry exists (an image built FROM scratch,
or a base without CMD), every layer counts as the image's own. When the
history does not describe the layers (its non-empty entries do not number
the layers), every layer counts as own too: when in doubt, report more.
Callers that know better (a `--base-layers N` option) pass the number instead.
"""

import re
from dataclasses import dataclass

from seawall.model.image import HistoryEntry, Image

_CMD = re.compile(r"^(?:/bin/sh -c #\(nop\)\s+)?(?:CMD|ENTRYPOINT)\b")
_BUILDKIT_SUFFIX = re.compile(r"\s*# buildkit\s*$")
_ARGS_PREFIX = re.compile(r"^\|\d+(?:\s+\S+=\S*)*\s+")
"""Classic docker prefixes RUN lines with the build args: `|2 A=1 B=2 /bin/sh -c …`."""


@dataclass(frozen=True, slots=True)
class Step:
    """One history entry, with the layer it made (None for empty_layer entries)."""

    index: int
    entry: HistoryEntry
    layer: int | None

    @property
    def instruction(self) -> str:
        """`created_by` without `#(nop)`, build-arg prefix and buildkit suffix."""
        return normalise(self.entry.created_by or "")

    @property
    def run_command(self) -> str | None:
        """The shell command of a RUN step, or None when the step is not a RUN."""
        text = self.instruction
        if text.startswith("RUN "):
            text = text[4:].lstrip()
            text = _ARGS_PREFIX.sub("", text)
        elif text.startswith(("ADD ", "COPY ", "CMD", "ENTRYPOINT", "ENV ", "LABEL ")):
            return None
        text = _ARGS_PREFIX.sub("", text)
        for shell in ("/bin/sh -c ", "/bin/bash -c ", "sh -c "):
            if text.startswith(shell):
                return text[len(shell) :]
        return None


def normalise(created_by: str) -> str:
    text = _BUILDKIT_SUFFIX.sub("", created_by.strip())
    if text.startswith("/bin/sh -c #(nop)"):
        text = text[len("/bin/sh -c #(nop)") :].strip()
    return text


def steps(image: Image) -> list[Step]:
    """Every history entry with its layer index, when the history numbers the layers."""
    layered = sum(1 for entry in image.history if not entry.empty_layer)
    consistent = layered == len(image.layers)
    result: list[Step] = []
    layer = 0
    for index, entry in enumerate(image.history):
        if entry.empty_layer:
            result.append(Step(index, entry, None))
        else:
            result.append(Step(index, entry, layer if consistent else None))
            layer += 1
    return result


def own_layer_start(image: Image) -> int:
    """Index of the first layer the image's own build made (see the module docstring)."""
    history = steps(image)
    if not history or any(s.layer is None and not s.entry.empty_layer for s in history):
        return 0
    start = 0
    for position, step in enumerate(history):
        if not _CMD.match(normalise(step.entry.created_by or "")):
            continue
        later = [s.layer for s in history[position + 1 :] if s.layer is not None]
        if later:
            start = later[0]
    return start
