"""Per-control evaluation: each evidence kind passing, failing, and not gathered."""

import dataclasses

import pytest

from seawall.compliance import FRAMEWORK_IDS, evaluate, framework, frameworks, parse_framework
from seawall.errors import InputError
from seawall.model.compliance import ControlStatus, Coverage, EvidenceKind
from seawall.model.finding import Severity
from seawall.model.package import CatalogerStatus
from seawall.model.scan import ScanResult
from seawall.pipeline.compliance import check_refs
from tests.compliance.scenario import FULL, NOW, result, vulnerability


def status_of(
    framework_id: str,
    control_id: str,
    scan: ScanResult | None = None,
    coverage: Coverage = FULL,
) -> ControlStatus:
    report = evaluate(
        framework(framework_id), scan or result(), check_refs(), coverage, subject="s", now=NOW
    )
    (control,) = [r for r in report.results if r.control.id == control_id]
    return control.status


def test_frameworks_load_and_ids_match() -> None:
    assert tuple(fw.id for fw in frameworks()) == FRAMEWORK_IDS
    for fw in frameworks():
        assert fw.controls and fw.notice and fw.reference.startswith("https://")


def test_required_controls_are_present() -> None:
    expected = {
        "pci-dss": {"6.2.4", "6.3.1", "6.3.3", "11.3.1", "8.6.2", "3.5.1"},
        "nist-800-53": {"RA-5", "SI-2", "CM-6", "CM-7", "CM-8", "SA-11", "IA-5"},
        "gdpr": {"25", "32(1)(b)"},
        "soc2": {"CC7.1"},
        "cis-docker": {f"4.{n}" for n in range(1, 13)},
    }
    for framework_id, controls in expected.items():
        assert controls <= {c.id for c in framework(framework_id).controls}


def test_unknown_framework_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown framework"):
        framework("hipaa")


def test_misconfig_evidence_fails_on_a_mapped_finding_and_passes_otherwise() -> None:
    assert status_of("cis-docker", "4.1") is ControlStatus.FAIL  # SW-IMG-001
    assert status_of("cis-docker", "4.8") is ControlStatus.FAIL  # SW-IMG-006
    assert status_of("cis-docker", "4.6") is ControlStatus.PASS  # no healthcheck finding
    report = evaluate(framework("cis-docker"), result(), check_refs(), FULL, subject="s", now=NOW)
    (control,) = [r for r in report.results if r.control.id == "4.1"]
    assert [f.id for f in control.findings] == ["SW-IMG-001"]


def test_misconfig_controls_of_kinds_not_scanned_are_not_applicable() -> None:
    # Kubernetes-only controls for an image scan.
    assert status_of("cis-docker", "5.5") is ControlStatus.NOT_APPLICABLE
    assert status_of("cis-docker", "5.22") is ControlStatus.NOT_APPLICABLE


def test_vulnerability_threshold_and_fixability() -> None:
    # PCI 6.3.3: fixable high or above -> the fixable HIGH fails it.
    assert status_of("pci-dss", "6.3.3") is ControlStatus.FAIL
    # NIST RA-5: fixable critical only -> the unfixable CRITICAL does not fail it.
    assert status_of("nist-800-53", "RA-5") is ControlStatus.PASS
    # SOC 2 CC6.8 counts unfixed ones too.
    only_misconfig_clean = dataclasses.replace(result(), misconfigurations=())
    assert status_of("soc2", "CC6.8", only_misconfig_clean) is ControlStatus.FAIL
    fixed = result(vulnerabilities=(vulnerability("CVE-1", Severity.MEDIUM, ("2",)),))
    assert status_of("pci-dss", "11.3.1", fixed) is ControlStatus.PASS


def test_evidence_not_gathered_is_manual_never_pass() -> None:
    nothing = Coverage(misconfig_kinds=frozenset({"image"}))
    clean = dataclasses.replace(result(vulnerabilities=(), secrets=()), misconfigurations=())
    assert status_of("nist-800-53", "RA-5", clean, nothing) is ControlStatus.MANUAL
    assert status_of("nist-800-53", "CM-8", clean, nothing) is ControlStatus.MANUAL
    assert status_of("cis-docker", "4.10", clean, nothing) is ControlStatus.MANUAL
    assert status_of("cis-docker", "4.10", clean, FULL) is ControlStatus.PASS


def test_secret_findings_fail_identification_controls() -> None:
    no_misconfig = dataclasses.replace(result(), misconfigurations=())
    assert status_of("nist-800-53", "IA-5", no_misconfig) is ControlStatus.FAIL
    assert status_of("pci-dss", "8.6.2", no_misconfig) is ControlStatus.FAIL


def test_database_age_decides_freshness() -> None:
    assert status_of("nist-800-53", "RA-5") is ControlStatus.PASS
    old = result(updated="2026-09-01T00:00:00Z")
    assert status_of("nist-800-53", "RA-5", old) is ControlStatus.FAIL
    no_db = dataclasses.replace(result(), database=None)
    assert status_of("nist-800-53", "RA-5", no_db) is ControlStatus.MANUAL


def test_sbom_evidence_needs_a_complete_inventory() -> None:
    assert status_of(
        "nist-800-53", "CM-8", dataclasses.replace(result(), misconfigurations=())
    ) is (ControlStatus.PASS)
    partial_inventory = dataclasses.replace(
        result().inventory, statuses=(CatalogerStatus("os/dpkg", 1, problems=("bad",)),)
    )
    partial = dataclasses.replace(result(), inventory=partial_inventory, misconfigurations=())
    assert status_of("nist-800-53", "CM-8", partial) is ControlStatus.MANUAL


def test_controls_without_automated_evidence_are_manual() -> None:
    report = evaluate(framework("pci-dss"), result(), check_refs(), FULL, subject="s", now=NOW)
    (control,) = [r for r in report.results if r.control.id == "3.5.1"]
    assert control.status is ControlStatus.MANUAL and control.control.manual
    assert control.evidence == ()


def test_every_control_has_known_evidence_kinds() -> None:
    for fw in frameworks():
        for control in fw.controls:
            assert all(isinstance(kind, EvidenceKind) for kind in control.evidence)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"controls": [{"id": "1", "title": "t"}]}, "neither evidence nor a manual"),
        ({"controls": [{"id": "1", "title": "t", "evidence": ["telepathy"]}]}, "telepathy"),
        ({"controls": "x"}, "controls"),
    ],
)
def test_malformed_framework_is_rejected(document: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_framework(document, "test.yaml")
