"""`seawall scan` results as JUnit XML, for CI dashboards (the JUnit XML shape Jenkins,
GitLab and GitHub test reporters read: testsuites > testsuite > testcase).

One test suite per finding kind (vulnerabilities, secrets, misconfigurations,
licences); one test case per finding class: a vulnerability id, a secret
rule, a check, a licence. A case fails when the policy failed any finding of
its class (without a policy, any finding fails it: the report cannot tell
what is acceptable); it is skipped when every finding of the class was
suppressed; otherwise it passes, and warnings go in `system-out`. The
failure text lists each affected package or place with its risk score and
fix, and the first lines of the remediation plan go in the suite's
`system-out`. Text is written through ElementTree, so markup in advisory
text cannot break the document; control characters XML 1.0 forbids are
replaced.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from seawall.model.policy import Decision, FindingKind
from seawall.model.scan import ScanResult
from seawall.report.scan.findings import Row, remediation_text, rows
from seawall.report.scan.options import ScanReportOptions

_SUITES = (
    (FindingKind.VULNERABILITY, "vulnerabilities"),
    (FindingKind.SECRET, "secrets"),
    (FindingKind.MISCONFIGURATION, "misconfigurations"),
    (FindingKind.LICENCE, "licences"),
)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _line(row: Row) -> str:
    risk = f"risk {row.risk:.1f}, " if row.risk is not None else ""
    layer = f", layer {row.layer}" if row.layer is not None else ""
    decision = f" [{row.decision.decision.value}: {row.decision.reason}]" if row.decision else ""
    return f"{row.what} ({risk}{row.severity.value}{layer}): {row.fix}{decision}"


def _case(suite: ET.Element, kind: str, case_id: str, group: Sequence[Row], policy: bool) -> str:
    case = ET.SubElement(suite, "testcase", classname=f"seawall.{kind}", name=_clean(case_id))
    decisions = [row.decision.decision if row.decision else None for row in group]
    text = "\n".join(_clean(_line(row)) for row in group)
    if not policy or Decision.FAIL in decisions:
        failing = [
            r for r in group if not policy or (r.decision and r.decision.decision is Decision.FAIL)
        ]
        failure = ET.SubElement(
            case,
            "failure",
            message=_clean(f"{case_id}: {len(failing)} finding(s) fail"),
            type=kind,
        )
        failure.text = text
        return "failure"
    if all(d is Decision.SUPPRESSED for d in decisions):
        ET.SubElement(case, "skipped", message="suppressed by an ignore or a VEX statement")
        ET.SubElement(case, "system-out").text = text
        return "skipped"
    ET.SubElement(case, "system-out").text = text
    return "passed"


def scan_to_junit(result: ScanResult, options: ScanReportOptions | None = None) -> ET.Element:
    del options
    all_rows = rows(result)
    policy = result.policy is not None
    root = ET.Element("testsuites", name="seawall")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for kind, name in _SUITES:
        kind_rows = [row for row in all_rows if row.kind is kind]
        if kind is FindingKind.LICENCE and not kind_rows:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"seawall {name}")
        groups: dict[str, list[Row]] = {}
        for row in kind_rows:
            groups.setdefault(row.id, []).append(row)
        counts = {"failure": 0, "skipped": 0, "passed": 0}
        for case_id, group in groups.items():
            counts[_case(suite, kind.value, case_id, group, policy)] += 1
        suite.set("tests", str(len(groups)))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        if kind is FindingKind.VULNERABILITY and result.policy and result.policy.remediations:
            ET.SubElement(suite, "system-out").text = _clean(
                "Fix first:\n"
                + "\n".join(remediation_text(r, result) for r in result.policy.remediations[:10])
            )
        totals["tests"] += len(groups)
        totals["failures"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    return root


def render_junit(result: ScanResult, options: ScanReportOptions | None = None) -> str:
    """The scan result as a JUnit XML document, ending with a newline."""
    root = scan_to_junit(result, options)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
