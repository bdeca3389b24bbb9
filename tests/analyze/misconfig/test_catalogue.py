"""The check catalogue is complete, well-formed data, and every control it names exists."""

import re

import pytest
import yaml

from seawall.analyze.misconfig import CheckKind, catalogue, checks_of
from seawall.analyze.misconfig.catalogue import parse_catalogue
from seawall.analyze.misconfig.eol import eol_table
from seawall.compliance import frameworks

ID_PATTERN = re.compile(r"^SW-(IMG|DF|K8S)-\d{3}$")
PREFIX = {CheckKind.IMAGE: "IMG", CheckKind.DOCKERFILE: "DF", CheckKind.KUBERNETES: "K8S"}


def test_minimum_check_counts() -> None:
    assert len(checks_of(CheckKind.IMAGE)) >= 20
    assert len(checks_of(CheckKind.DOCKERFILE)) >= 25
    assert len(checks_of(CheckKind.KUBERNETES)) >= 20


@pytest.mark.parametrize("check_id", sorted(catalogue()))
def test_every_check_is_complete(check_id: str) -> None:
    check = catalogue()[check_id]
    assert ID_PATTERN.match(check.id)
    assert check.id.split("-")[1] == PREFIX[check.kind]
    assert check.title and check.rationale and check.remediation and check.example
    assert check.references and all(ref.startswith("https://") for ref in check.references)
    assert check.controls


def test_every_control_a_check_names_exists_in_a_framework() -> None:
    known = {fw.key(control) for fw in frameworks() for control in fw.controls}
    named = {control for check in catalogue().values() for control in check.controls}
    assert named - known == set()


def test_every_misconfig_control_has_a_check() -> None:
    named = {control for check in catalogue().values() for control in check.controls}
    for framework in frameworks():
        for control in framework.controls:
            if any(kind.value == "misconfig" for kind in control.evidence):
                assert framework.key(control) in named, framework.key(control)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "checks"),
        ({"checks": [{"id": "SW-X-1"}]}, "kind"),
        (
            {
                "checks": [
                    {
                        "id": "A",
                        "kind": "image",
                        "title": "t",
                        "severity": "high",
                        "rationale": "r",
                        "remediation": "m",
                        "example": "e",
                    }
                ]
                * 2
            },
            "duplicate",
        ),
    ],
)
def test_malformed_catalogue_is_rejected(document: object, message: str) -> None:
    with pytest.raises((ValueError, KeyError), match=message):
        parse_catalogue(document)


def test_eol_table_has_sources_for_every_distro() -> None:
    table = eol_table()
    assert set(table.releases) <= set(table.sources)
    assert table.releases["debian"]["11"].isoformat() == "2026-08-31"


def test_shipped_yaml_is_plain_safe_yaml() -> None:
    from importlib import resources

    text = resources.files("seawall.analyze.misconfig").joinpath("data/checks.yaml").read_text()
    assert isinstance(yaml.safe_load(text), dict)
