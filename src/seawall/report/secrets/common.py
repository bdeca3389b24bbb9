"""What the secret reporters share: where a finding is, and build steps shown safely.

A build step (`created_by`) explains how a file got into a layer, but history
lines are where build arguments and inline commands leak: a line in which
the scan found a secret is withheld entirely, and every other line goes
through `report.scan.common.Redactor` (env values, build-argument values).
"""

from seawall.model.finding import SecretFinding, SecretSource
from seawall.model.secrets import SecretsResult
from seawall.report.scan.common import Redactor, short_created_by
from seawall.report.terminal import printable

WITHHELD = "(build step withheld: it holds a secret)"


class Steps:
    """The `created_by` line of each layer of the result's image, safe to print."""

    def __init__(self, result: SecretsResult) -> None:
        image = result.image
        self._lines: dict[int, str] = {}
        if image is None:
            return
        leaking = {
            image.history[f.location.history_index].created_by
            for f in result.findings
            if f.location.source is SecretSource.HISTORY
            and f.location.history_index is not None
            and f.location.history_index < len(image.history)
        }
        redactor = Redactor.for_image(image)
        for layer in image.layers:
            if not layer.created_by:
                continue
            if layer.created_by in leaking:
                self._lines[layer.index] = WITHHELD
            else:
                self._lines[layer.index] = printable(
                    short_created_by(redactor.redact(layer.created_by))
                )

    def of(self, layer: int | None) -> str | None:
        return None if layer is None else self._lines.get(layer)


def where(finding: SecretFinding) -> str:
    """`/path:line`, `Env[2] NAME`, `history[3]`, or `path:line @ commit`."""
    location = finding.location
    if location.source is SecretSource.HISTORY:
        return f"history[{location.history_index}]"
    if location.source is SecretSource.CONFIG:
        return printable(location.field or "config")
    text = printable(location.path or "")
    if location.line is not None:
        text += f":{location.line}"
    if location.commit is not None:
        text += f" @ {location.commit[:12]}"
    return text


def layers_text(finding: SecretFinding) -> str:
    """`1`, or `1 → removed in 2` for a file a later layer deleted."""
    location = finding.location
    if location.layer is None:
        return ""
    if location.removed_in is None:
        return str(location.layer)
    return f"{location.layer} → removed in {location.removed_in}"
