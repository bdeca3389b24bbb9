"""The secret engine: rules as data, streamed scanning, decoys, redaction, user config.

- `rules`: `rules.yaml` (package data) loaded into a `RuleSet`; `builtin`: the
  shipped rules and their version.
- `engine`: `SecretEngine` scans a file (streamed in overlapping chunks) or a
  text and returns redacted `Hit`s; binary and oversized files are skipped.
- `values`: the engine's settings and per-file results.
- `imageconfig`: Env, Labels, Cmd/Entrypoint and history lines of an image.
- `config`: the user's allow rules and baseline (`load_config`).
- `redact`: previews and fingerprints; the value itself is never kept.

The engine, the rule parser and the image-config scanner are imported on first
use (PEP 562 `__getattr__`): a scan answered from the cache needs none of them.
"""

from typing import TYPE_CHECKING

from seawall.analyze.secrets.builtin import builtin_rules, builtin_version
from seawall.analyze.secrets.config import AllowRule, SecretsConfig, load_config
from seawall.analyze.secrets.redact import fingerprint, preview
from seawall.analyze.secrets.values import EngineSettings, FileScan, Hit, Outcome
from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.analyze.secrets.engine import SecretEngine
    from seawall.analyze.secrets.imageconfig import scan_image_config
    from seawall.analyze.secrets.rules import Rule, RuleSet

_LAZY = {
    "SecretEngine": "engine",
    "scan_image_config": "imageconfig",
    "Rule": "rules",
    "RuleSet": "rules",
}


__getattr__ = lazy_names(__name__, _LAZY)


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
