"""The policy fixture's scan with a policy applied: rules over every kind, an ignore, an
expired ignore, a VEX statement and a business context; what the report tests render."""

import datetime as dt
from dataclasses import replace

from seawall.model.policy import BusinessContext, Criticality, DataClass
from seawall.policy import apply_policy, parse_policy, parse_vex
from tests.policy.scanfixture import RESULT
from tests.policy.vexdocs import OPENVEX

POLICY = parse_policy(
    """\
version: 1
name: shop-api production gate
rules:
  - {name: fixable-high, vulnerability: {severity: high, fixable: true}}
  - {name: known-exploited, vulnerability: {kev: true}}
  - {name: likely-exploited, action: warn, vulnerability: {epss: 0.1}}
  - {name: leaked-credentials, secret: {}}
  - {name: dockerfile, action: warn, misconfiguration: {severity: high}}
  - {name: copyleft, licence: {deny: [AGPL-3.0-or-later]}}
ignores:
  - id: CVE-2023-49083
    package: cryptography
    reason: we never load PKCS7 certificates
    owner: payments-team@example.com
    expires: 2027-01-31
    created: 2026-11-01
    justification: vulnerable_code_not_in_execute_path
  - id: CVE-2010-4756
    reason: glibc glob is not reachable
    owner: platform-team@example.com
    expires: 2026-06-30
""",
    "seawall-policy.yaml",
)
NOW = dt.datetime(2026, 11, 23, 9, 31, tzinfo=dt.UTC)
CONTEXT = BusinessContext(
    internet_facing=True,
    data_classes=frozenset({DataClass.PAYMENT}),
    criticality=Criticality.HIGH,
)


def _compare(_ecosystem: str, a: str, b: str) -> int:
    from seawall import versions

    return versions.compare(_ecosystem, a, b)


DECIDED = replace(
    RESULT,
    policy=apply_policy(
        RESULT,
        POLICY,
        parse_vex(OPENVEX, "vex/shop-api.openvex.json"),
        None,
        CONTEXT,
        now=NOW,
        compare=_compare,
    ),
)
