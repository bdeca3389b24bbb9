"""Secrets in an image's config and history: Env, Labels, Cmd, Entrypoint, created_by lines.

Each value is scanned as `NAME=value` text so the generic rules see the name
as context (`DB_PASSWORD=…`). History lines carry build arguments as a
`|N KEY=VALUE …` prefix (Docker and BuildKit write the values of the N
build args a RUN step saw) and inline RUN commands; both are scanned whole.

Fingerprints use the variable or label name (`Env DB_PASSWORD`), never an
index, and `history` for every history line, so a rebuilt image that moves
the line keeps the fingerprint; the reported location gives the index.
"""

from seawall.analyze.secrets.engine import SecretEngine
from seawall.model.finding import SecretFinding, SecretLocation, SecretSource
from seawall.model.image import Image


def scan_image_config(image: Image, engine: SecretEngine) -> list[SecretFinding]:
    """Every secret in `image`'s config values and history lines."""
    config = image.config
    texts: list[tuple[SecretLocation, str, str]] = []
    for index, (name, value) in enumerate(config.env):
        location = SecretLocation(SecretSource.CONFIG, field=f"Env[{index}] {name}")
        texts.append((location, f"Env {name}", f"{name}={value}"))
    for name, value in config.labels:
        location = SecretLocation(SecretSource.CONFIG, field=f"Labels[{name}]")
        texts.append((location, f"Labels {name}", f"{name}={value}"))
    for name, command in (
        ("Entrypoint", config.entrypoint),
        ("Cmd", config.cmd),
        ("Healthcheck", config.healthcheck),
    ):
        if command:
            location = SecretLocation(SecretSource.CONFIG, field=name)
            texts.append((location, name, " ".join(command)))
    for index, entry in enumerate(image.history):
        if entry.created_by:
            location = SecretLocation(SecretSource.HISTORY, history_index=index)
            texts.append((location, "history", entry.created_by))
    findings: list[SecretFinding] = []
    seen: set[str] = set()
    for location, where, text in texts:
        kind = location.source.value
        for hit in engine.scan_text(text, kind, where):
            if hit.fingerprint in seen:
                continue
            seen.add(hit.fingerprint)
            rule = engine.rules.get(hit.rule_id)
            findings.append(
                SecretFinding(
                    rule.id, rule.title, rule.severity, location, hit.preview, hit.fingerprint
                )
            )
    return findings
