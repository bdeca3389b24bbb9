"""The documents of an audit evidence bundle, rendered: SBOMs, the scan result, the reports.

`seawall.compliance.write_evidence` writes them with a manifest; rendering
stays here, with the other reporters, so the compliance stage and the
pipeline never import a reporter.
"""

from collections.abc import Sequence

from seawall.model.compliance import ComplianceReport
from seawall.model.scan import ScanResult
from seawall.report.compliance.html import render_html
from seawall.report.compliance.json import render_json
from seawall.report.compliance.markdown import render_markdown
from seawall.report.compliance.misconfig import render_misconfigurations_json
from seawall.report.sbom.cyclonedx import render_cyclonedx
from seawall.report.sbom.spdx import render_spdx
from seawall.report.scan.json import render_json as render_scan_json


def evidence_documents(result: ScanResult, reports: Sequence[ComplianceReport]) -> dict[str, str]:
    """Bundle path -> document text."""
    documents = {
        "scan-result.json": render_scan_json(result),
        "misconfigurations.json": render_misconfigurations_json(result.misconfigurations) + "\n",
        "sbom/cyclonedx.json": render_cyclonedx(result.inventory, result.image) + "\n",
        "sbom/spdx.json": render_spdx(result.inventory, result.image) + "\n",
    }
    for report in reports:
        name = f"compliance/{report.framework.id}"
        documents[f"{name}.json"] = render_json(report) + "\n"
        documents[f"{name}.md"] = render_markdown(report)
        documents[f"{name}.html"] = render_html(report)
    return documents
