"""The policy stage: findings in, decisions and a verdict out (DESIGN.md §2, issue 7).

- `load_policy(path)` reads a policy file (docs/policy.md) with errors that
  name the line; `default_policy(fail_on, only_fixed)` is what `--fail-on` means.
- `load_vex(path)` reads OpenVEX, CycloneDX VEX or CSAF VEX statements.
- `apply_policy(result, policy, vex, baseline, context)` decides every
  finding, scores its risk (docs/risk.md), plans remediation and returns a
  `PolicyResult` (seawall.model.policy) for the reporters.

The names below load their module on first use (PEP 562): a scan with the
default policy and no VEX document does not import the file readers
(YAML, pydantic).
"""

from typing import TYPE_CHECKING

from seawall.lazy import lazy_names

if TYPE_CHECKING:
    from seawall.policy.context import business_context
    from seawall.policy.document import load_policy, parse_policy
    from seawall.policy.engine import apply_policy, licence_fingerprint
    from seawall.policy.errors import PolicyFileError, VexDocumentError
    from seawall.policy.rules import Policy, default_policy
    from seawall.policy.vex import VexStatement, VexStatus, load_vex, parse_vex

_HOMES = {
    "Policy": "rules",
    "PolicyFileError": "errors",
    "VexDocumentError": "errors",
    "VexStatement": "vex",
    "VexStatus": "vex",
    "apply_policy": "engine",
    "business_context": "context",
    "default_policy": "rules",
    "licence_fingerprint": "engine",
    "load_policy": "document",
    "load_vex": "vex",
    "parse_policy": "document",
    "parse_vex": "vex",
}

__all__ = [
    "Policy",
    "PolicyFileError",
    "VexDocumentError",
    "VexStatement",
    "VexStatus",
    "apply_policy",
    "business_context",
    "default_policy",
    "licence_fingerprint",
    "load_policy",
    "load_vex",
    "parse_policy",
    "parse_vex",
]


__getattr__ = lazy_names(__name__, _HOMES)
