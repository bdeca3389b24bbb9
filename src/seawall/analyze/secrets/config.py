"""The user's secret-scan configuration: allow rules, a baseline, and scan settings.

A small YAML file (`seawall secrets --config FILE`), validated with pydantic
because it is user input::

    max_file_bytes: 16777216          # optional; larger files are skipped
    scan_all_paths: true              # optional; also read the trees of third-party
                                      # software the rules skip (docs/secrets.md)
    disable_rules: [generic-password] # optional
    allow:                            # findings never reported
      - description: fixtures of our own integration tests
        rules: [generic-secret]       # optional: all rules when absent
        paths: ['^/srv/app/it/']      # optional regexes on the file path
        fields: ['^Labels\\[']        # optional regexes on the config field
    baseline:                         # known findings, accepted with a reason
      - fingerprint: 3f1c…            # the finding's fingerprint (64 hex)
        reason: rotated on 2024-05-02, ticket SEC-123
    baseline_file: secrets-baseline.yaml   # optional, same `baseline:` list, relative to this file

Allow rules and the baseline act on findings after the scan, so changing
them never invalidates the per-layer cache; only `max_file_bytes`,
`scan_all_paths` and `disable_rules` change what is scanned and are part of
the cache key.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.errors import InputError
from seawall.model.finding import SecretFinding

MAX_CONFIG_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AllowRule:
    """Findings matching every given criterion are not reported."""

    description: str = ""
    rules: frozenset[str] = frozenset()
    paths: tuple[re.Pattern[str], ...] = ()
    fields: tuple[re.Pattern[str], ...] = ()

    def allows(self, finding: SecretFinding) -> bool:
        if self.rules and finding.rule_id not in self.rules:
            return False
        location = finding.location
        if self.paths and not (
            location.path is not None and any(p.search(location.path) for p in self.paths)
        ):
            return False
        return not self.fields or (
            location.field is not None and any(f.search(location.field) for f in self.fields)
        )


@dataclass(frozen=True, slots=True)
class SecretsConfig:
    """The effective configuration; the default reports everything the rules find."""

    max_file_bytes: int | None = None
    scan_all_paths: bool = False
    """Read the rule file's `skip_paths` trees too (third-party software, skipped by default)."""
    disable_rules: frozenset[str] = frozenset()
    allow: tuple[AllowRule, ...] = ()
    baseline: dict[str, str] = field(default_factory=dict)
    """Accepted fingerprints and the reason each was accepted."""

    def suppressed(self, finding: SecretFinding) -> bool:
        """True when an allow rule or the baseline covers the finding."""
        return finding.fingerprint in self.baseline or any(
            rule.allows(finding) for rule in self.allow
        )


def _read_yaml(path: Path, what: str) -> Any:
    import yaml  # only configured scans read YAML here (start-up time)

    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read the {what} ({error.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise InputError(f"{path}: the {what} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        return yaml.safe_load(data) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: the {what} is not valid YAML ({error})") from None


def _problems(error: Any) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in item['loc']) or '(top)'}: {item['msg']}"
        for item in error.errors()
    )


def load_config(path: Path, known_rules: frozenset[str] | None = None) -> SecretsConfig:
    """Read and validate a configuration file; `InputError` names the file and the problem."""
    # Imported here: pydantic costs start-up time that only a configured scan needs.
    from pydantic import ValidationError

    from seawall.analyze.secrets.configmodel import BaselineModel, ConfigModel

    try:
        raw = ConfigModel.model_validate(_read_yaml(path, "secrets configuration"))
    except ValidationError as error:
        raise InputError(f"{path}: {_problems(error)}") from None
    accepted = list(raw.baseline)
    if raw.baseline_file is not None:
        baseline_path = (path.parent / raw.baseline_file).resolve()
        try:
            accepted += BaselineModel.model_validate(_read_yaml(baseline_path, "baseline")).baseline
        except ValidationError as error:
            raise InputError(f"{baseline_path}: {_problems(error)}") from None
    named = set(raw.disable_rules) | {r for allow in raw.allow for r in allow.rules}
    unknown = sorted(named - known_rules) if known_rules is not None else []
    if unknown:
        raise InputError(f"{path}: unknown rule ids {unknown}")
    return SecretsConfig(
        max_file_bytes=raw.max_file_bytes,
        scan_all_paths=raw.scan_all_paths,
        disable_rules=frozenset(raw.disable_rules),
        allow=tuple(
            AllowRule(
                description=allow.description,
                rules=frozenset(allow.rules),
                paths=tuple(re.compile(p) for p in allow.paths),
                fields=tuple(re.compile(f) for f in allow.fields),
            )
            for allow in raw.allow
        ),
        baseline={item.fingerprint: item.reason for item in accepted},
    )
