"""Reading a saved `seawall.scan/v1` result back: findings and fingerprints survive."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from seawall.diff import diff
from seawall.policy import apply_policy
from seawall.report.scan import render_json
from seawall.source.scanresult import ScanResultError, looks_like_scan_result, read_scan_result
from tests.policy.scanfixture import RESULT


def test_a_saved_result_reads_back_to_the_same_findings(tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    path.write_text(render_json(replace(RESULT, policy=apply_policy(RESULT))))
    assert looks_like_scan_result(path)
    back = read_scan_result(path)
    assert set(back.vulnerabilities) == set(RESULT.vulnerabilities)
    assert back.secrets == tuple(sorted(RESULT.secrets, key=lambda s: s.fingerprint))
    assert set(back.misconfigurations) == set(RESULT.misconfigurations)
    assert back.inventory == RESULT.inventory
    assert back.database is not None and RESULT.database is not None
    assert set(back.database.sources) == set(RESULT.database.sources)
    assert back.scanned_at == RESULT.scanned_at
    assert back.image is not None and RESULT.image is not None
    assert [layer.diff_id for layer in back.image.layers] == [
        layer.diff_id for layer in RESULT.image.layers
    ]
    assert "PIP_INDEX_TOKEN=***" in (back.image.layers[2].created_by or "")  # written redacted
    assert back.image.history == ()  # never written
    change = diff(back, RESULT)
    assert change.introduced == () and change.fixed == () and change.packages == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"schema": "seawall.sbom/v1"}', "not a seawall scan result"),
        ("[]", "not a seawall scan result"),
    ],
)
def test_what_is_not_a_scan_result_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(ScanResultError, match=message):
        read_scan_result(path)


def test_a_tampered_record_is_refused_naming_it(tmp_path: Path) -> None:
    document = json.loads(render_json(RESULT))
    document["vulnerabilities"][2]["severity"] = "apocalyptic"
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ScanResultError, match=r"vulnerabilities\[2\]: severity"):
        read_scan_result(path)
    document = json.loads(render_json(RESULT))
    document["secrets"][0]["fingerprint"] = 7
    path.write_text(json.dumps(document))
    with pytest.raises(ScanResultError, match=r"secrets\[0\]: fingerprint"):
        read_scan_result(path)
