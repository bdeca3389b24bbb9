"""The secret engine: rules as data, streamed scanning, decoys, redaction, user config.

- `rules`: `rules.yaml` (package data) compiled into a `RuleSet`.
- `engine`: `SecretEngine` scans a file (streamed in overlapping chunks) or a
  text and returns redacted `Hit`s; binary and oversized files are skipped.
- `imageconfig`: Env, Labels, Cmd/Entrypoint and history lines of an image.
- `config`: the user's allow rules and baseline (`load_config`).
- `redact`: previews and fingerprints; the value itself is never kept.
"""

from seawall.analyze.secrets.config import AllowRule, SecretsConfig, load_config
from seawall.analyze.secrets.engine import EngineSettings, FileScan, Hit, Outcome, SecretEngine
from seawall.analyze.secrets.imageconfig import scan_image_config
from seawall.analyze.secrets.redact import fingerprint, preview
from seawall.analyze.secrets.rules import Rule, RuleSet, builtin_rules, builtin_version

__all__ = [
    "AllowRule",
    "EngineSettings",
    "FileScan",
    "Hit",
    "Outcome",
    "Rule",
    "RuleSet",
    "SecretEngine",
    "SecretsConfig",
    "builtin_rules",
    "builtin_version",
    "fingerprint",
    "load_config",
    "preview",
    "scan_image_config",
]
