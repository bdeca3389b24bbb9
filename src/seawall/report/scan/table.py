"""`seawall scan` results as a rich table, most urgent finding first.

Columns: id (and how many other ids the vulnerability has), package (and the
source package of a distro package), installed version, fixed versions (or
"no fix yet"), severity, CVSS base score, EPSS, KEV flag, and the layer that
introduced the package with its build step. Then the "Secrets" and
"Misconfigurations" sections (`sections.py`). Below: a summary line (counts by
severity, fixable, known exploited, age of the vulnerability data), warnings,
and with `show_reasons` a "why" line per match reason.

The table fits the console width it is rendered at (`COLUMNS` when not a
terminal): see `_FindingsTable` for the three layouts; cells fold rather than
overflow. Every string from the image or the
vulnerability data goes in as `Text`, never as markup, with control
characters shown as escapes, so hostile names cannot restyle the terminal.
"""

from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from seawall.model.finding import VulnerabilityFinding
from seawall.model.policy import Decision, PolicyResult, Verdict
from seawall.model.scan import ScanResult
from seawall.report.cells import text_cell
from seawall.report.scan.common import (
    SEVERITIES_HIGH_FIRST,
    Redactor,
    database_age_text,
    epss_percent,
    layer_of,
    other_ids,
    severity_counts,
    short_created_by,
    source_package,
)
from seawall.report.scan.findings import remediation_text
from seawall.report.scan.options import ScanReportOptions
from seawall.report.scan.risk import in_risk_order, preferred_cvss
from seawall.report.scan.sections import (
    SEVERITY_STYLES,
    misconfig_section,
    risk_cell,
    secrets_section,
    shown,
)
from seawall.report.terminal import printable

WIDE = 150
"""Console width from which the layer column also shows the build step."""
MEDIUM = 110
"""Console width from which installed and fixed versions and KEV have columns of their own."""
LAYER_STEP_WIDTH = 32
ID_WIDTH = 26


def _id_cell(finding: VulnerabilityFinding, narrow: bool) -> Text:
    cell = text_cell(finding.id, "bold")
    extra = len(other_ids(finding))
    if extra:
        cell.append(f"{chr(10) if narrow else ' '}(+{extra})", style="dim")
    return cell


def _package_cell(finding: VulnerabilityFinding, with_layer: bool) -> Text:
    cell = text_cell(finding.package.name)
    source = source_package(finding.package)
    if source is not None:
        cell.append("\n")
        cell.append(text_cell(f"src {source}", "dim"))
    if with_layer and finding.layer is not None:
        cell.append(f"\nlayer {finding.layer}", style="dim")
    return cell


def _fixed_cell(finding: VulnerabilityFinding) -> Text:
    if not finding.fixed_versions:
        return Text("no fix yet", style="dim italic")
    return text_cell(", ".join(finding.fixed_versions), "green")


def _layer_cell(
    finding: VulnerabilityFinding, result: ScanResult, redactor: Redactor, wide: bool
) -> Text:
    if finding.layer is None:
        return Text("-", style="dim")
    cell = Text(str(finding.layer))
    layer = layer_of(result.image, finding)
    if wide and layer is not None and layer.created_by:
        step = printable(short_created_by(redactor.redact(layer.created_by)))
        if len(step) > LAYER_STEP_WIDTH:
            step = step[: LAYER_STEP_WIDTH - 1] + "…"
        cell.append(f" {step}", style="dim")
    return cell


def _versions_cell(finding: VulnerabilityFinding) -> Text:
    """Installed and fixed versions in one cell, for narrow consoles."""
    cell = text_cell(finding.package.version)
    cell.append("\n→ ", style="dim")
    cell.append(_fixed_cell(finding))
    return cell


def _severity_cell(finding: VulnerabilityFinding, with_kev: bool) -> Text:
    cell = Text(finding.severity.value, style=SEVERITY_STYLES[finding.severity])
    if with_kev and finding.kev is not None:
        cell.append("\nKEV", style="bold red")
    return cell


@dataclass(frozen=True, slots=True)
class _FindingsTable:
    """The findings table, laid out for the width it is rendered at.

    From `WIDE` columns every column shows, the layer with its build step;
    from `MEDIUM` the layer shows its index only; below, installed and fixed
    versions share a column ("installed → fixed"), the KEV flag goes under
    the severity, the layer index under the package, and columns are one
    space apart.
    """

    result: ScanResult
    findings: tuple[VulnerabilityFinding, ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE
        narrow = options.max_width < MEDIUM
        redactor = Redactor.for_image(self.result.image)
        decisions = self.result.policy.by_fingerprint() if self.result.policy else {}
        # Narrow: one space between columns instead of two.
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=narrow)
        if self.result.policy is not None:
            # The risk score (docs/risk.md) the rows are sorted by, and the decision.
            table.add_column("risk", justify="right", no_wrap=True)
        # Ids never fold (a split id cannot be searched for); the longest real
        # ones (`openSUSE-SU-2024:12345-1`) fit ID_WIDTH, longer ones get an ellipsis.
        table.add_column("id", no_wrap=True, max_width=ID_WIDTH, overflow="ellipsis")
        table.add_column("package", overflow="fold")
        if narrow:
            table.add_column("version", overflow="fold")
        else:
            table.add_column("installed", overflow="fold")
            table.add_column("fixed in", overflow="fold")
        table.add_column("severity", overflow="fold", min_width=4)
        table.add_column("CVSS", justify="right", overflow="fold")
        table.add_column("EPSS", justify="right", overflow="fold")
        if not narrow:
            table.add_column("KEV", no_wrap=True)
            table.add_column("layer", overflow="fold", min_width=5)
        for finding in self.findings:
            cvss = preferred_cvss(finding)
            versions = (
                [_versions_cell(finding)]
                if narrow
                else [text_cell(finding.package.version), _fixed_cell(finding)]
            )
            rest = (
                []
                if narrow
                else [
                    Text("KEV", style="bold red") if finding.kev else Text(""),
                    _layer_cell(finding, self.result, redactor, wide),
                ]
            )
            lead: list[Text] = []
            decision = decisions.get(finding.fingerprint)
            if self.result.policy is not None:
                lead.append(risk_cell(decision))
            table.add_row(
                *lead,
                _id_cell(finding, narrow),
                _package_cell(finding, with_layer=narrow),
                *versions,
                _severity_cell(finding, with_kev=narrow),
                Text(f"{cvss.base_score:.1f}" if cvss is not None else "-"),
                Text(epss_percent(finding.epss.score) if finding.epss is not None else "-"),
                *rest,
            )
        yield table


def _policy_section(result: ScanResult, policy: PolicyResult, hidden: int) -> Text:
    """Verdict, grade, rule violations, expired ignores and the remediation plan."""
    text = Text()
    passed = policy.verdict is Verdict.PASSED
    text.append(
        "Policy passed" if passed else "Policy FAILED", style="bold green" if passed else "bold red"
    )
    if policy.policy:
        text.append(text_cell(f" ({policy.policy})"))
    failing = sum(1 for d in policy.decisions if d.decision is Decision.FAIL)
    warning = sum(1 for d in policy.decisions if d.decision is Decision.WARN)
    suppressed = sum(1 for d in policy.decisions if d.decision is Decision.SUPPRESSED)
    text.append(f" · {failing} failing, {warning} warning, {suppressed} suppressed")
    if hidden:
        text.append(f" ({hidden} hidden: --show-suppressed lists them)", style="dim")
    if policy.image_risk is not None:
        risk = policy.image_risk
        text.append(f" · image risk {risk.score:.1f}, grade ")
        text.append(risk.grade.value, style="bold")
    if policy.baseline:
        text.append(text_cell(f" · baseline {policy.baseline}", "dim"))
    for violation in policy.violations:
        text.append("\n")
        text.append(text_cell(f"{violation.decision.value}: {violation.rule}: {violation.message}"))
    for expired in policy.expired_ignores:
        text.append("\n")
        text.append(
            text_cell(
                f"expired ignore {expired.entry} ({expired.selector}, owner {expired.owner},"
                f" expired {expired.expires}) no longer applies"
                f" ({expired.would_match} finding(s))",
                "yellow",
            )
        )
    if policy.remediations:
        text.append("\nFix first:", style="bold")
        for remediation in policy.remediations[:5]:
            text.append("\n  ")
            text.append(text_cell(remediation_text(remediation, result)))
    return text


def _risk_parts(result: ScanResult, findings: tuple[VulnerabilityFinding, ...]) -> Text:
    decisions = result.policy.by_fingerprint() if result.policy else {}
    text = Text("Risk scores:\n", style="bold")
    for finding in findings:
        decision = decisions.get(finding.fingerprint)
        if decision is None:
            continue
        parts = ", ".join(
            f"{p.name} x{p.value:g}" if p.multiplier else f"{p.name} +{p.value:g}"
            for p in decision.risk.parts
        )
        text.append(
            text_cell(f"  {decision.risk.score:5.1f} {finding.id} {finding.package.name}: ")
        )
        text.append(text_cell(parts, "dim"))
        text.append("\n")
    text.rstrip()
    return text


def _summary(result: ScanResult) -> Text:
    findings = result.vulnerabilities
    packages = {(f.package.name, f.package.version, f.package.purl) for f in findings}
    text = Text()
    if not findings:
        text.append("No vulnerabilities found", style="bold green")
    else:
        noun = "vulnerability" if len(findings) == 1 else "vulnerabilities"
        text.append(f"{len(findings)} {noun}", style="bold")
        text.append(f" in {len(packages)} package{'s' if len(packages) != 1 else ''} (")
        counts = severity_counts(findings)
        parts = [s for s in SEVERITIES_HIGH_FIRST if counts[s]]
        for index, severity in enumerate(parts):
            if index:
                text.append(", ")
            text.append(f"{counts[severity]} {severity.value}", style=SEVERITY_STYLES[severity])
        text.append(")")
        fixable = sum(1 for f in findings if f.fixable)
        text.append(f" · {fixable} fixable")
        kev = sum(1 for f in findings if f.kev is not None)
        if kev:
            text.append(" · ")
            text.append(f"{kev} known exploited (KEV)", style="bold red")
    text.append(f" · {database_age_text(result)}")
    if result.inventory.partial:
        text.append(" · partial inventory: some files could not be read", style="yellow")
    return text


def _reasons(findings: tuple[VulnerabilityFinding, ...]) -> Text:
    text = Text("Why they matched:\n", style="bold")
    for finding in findings:
        package = f"{finding.package.name} {finding.package.version}"
        if not finding.reasons:
            text.append(text_cell(f"  {finding.id} {package}: no reason recorded", "dim"))
            text.append("\n")
        for reason in sorted(finding.reasons, key=lambda r: (r.record, r.range, r.decision)):
            text.append(text_cell(f"  {finding.id} {package}: "))
            text.append(text_cell(reason.record, "bold"))
            text.append(text_cell(f" ({reason.ecosystem} {reason.package}) {reason.range}"))
            text.append(" → ", style="dim")
            text.append(text_cell(reason.decision))
            text.append("\n")
    text.rstrip()
    return text


def render_table(result: ScanResult, options: ScanReportOptions | None = None) -> RenderableType:
    """The scan result as rich renderables: the vulnerabilities in risk order,
    the secrets and misconfigurations (grouped, most severe first), the
    summary, warnings, and with `options.show_reasons` why each matched."""
    options = options or ScanReportOptions()
    findings, hidden = shown(
        in_risk_order(result.vulnerabilities, result.policy), result.policy, options.show_suppressed
    )
    secrets, hidden_secrets = shown(result.secrets, result.policy, options.show_suppressed)
    misconfigs, hidden_misconfigs = shown(
        result.misconfigurations, result.policy, options.show_suppressed
    )
    parts: list[RenderableType] = []
    if result.image is not None:
        parts.append(text_cell(f"Vulnerabilities in {result.image.reference}", "bold"))
    if findings:
        parts.append(_FindingsTable(result, findings))
    # Grouped after the vulnerabilities (issue 7): a section only when it has rows.
    if secrets:
        parts.extend(secrets_section(secrets, result.policy))
    if misconfigs:
        parts.extend(misconfig_section(misconfigs, result.policy))
    hidden += hidden_secrets + hidden_misconfigs
    parts.append(_summary(result))
    if result.warnings:
        redactor = Redactor.for_image(result.image)
        warnings = Text()
        for warning in result.warnings:
            warnings.append(text_cell(f"warning: {redactor.redact(warning)}", "yellow"))
            warnings.append("\n")
        warnings.rstrip()
        parts.append(warnings)
    if result.policy is not None:
        parts.append(_policy_section(result, result.policy, hidden))
    if options.show_reasons and findings:
        parts.append(_reasons(findings))
        if result.policy is not None:
            parts.append(_risk_parts(result, findings))
    return Group(*parts)
