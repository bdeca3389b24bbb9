"""The risk score formula (docs/risk.md), base-image layers, PATH, and the image grade."""

import datetime as dt
from dataclasses import replace

import pytest

from seawall.model.image import HistoryEntry
from seawall.model.policy import BusinessContext, Criticality, DataClass, Grade
from seawall.policy import apply_policy
from seawall.policy.layers import base_layer_count, on_path, path_directories
from seawall.policy.risk import image_risk, vulnerability_risk
from tests.policy.scanfixture import IMAGE, RESULT, SHOPCTL
from tests.report.scan.scanresult import GLOB, HTTP2, MARVIN, URLLIB3

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def test_a_kev_finding_with_high_epss_in_an_app_layer() -> None:
    score = vulnerability_risk(HTTP2, base_layers=1, on_path=None, context=BusinessContext())
    parts = {part.name: part.value for part in score.parts}
    # 4 x 7.5 + 20 (KEV) + 20 x sqrt(0.94425) + 5 (fix) + 2.5 (PATH unknown), x 1 (app layer)
    assert parts == {
        "severity": 30.0,
        "kev": 20.0,
        "epss": 19.43,
        "fix": 5.0,
        "exposure": 2.5,
        "ownership": 1.0,
    }
    assert score.score == 76.9


def test_base_image_and_business_context_factors() -> None:
    context = BusinessContext(
        internet_facing=True,
        data_classes=frozenset({DataClass.PERSONAL, DataClass.PAYMENT}),
        criticality=Criticality.CRITICAL,
    )
    plain = vulnerability_risk(GLOB, base_layers=1, on_path=None, context=BusinessContext())
    # 4 x 4.0 (CVSS 2.0) + 20 x sqrt(0.01163) + 0 (no fix) + 2.5, x 0.85 (base image)
    assert plain.score == round((16 + 20 * 0.01163**0.5 + 2.5) * 0.85, 1)
    weighted = vulnerability_risk(GLOB, base_layers=1, on_path=None, context=context)
    assert weighted.score == round((16 + 20 * 0.01163**0.5 + 2.5) * 0.85 * 1.25 * 1.2 * 1.3, 1)
    names = [part.detail for part in weighted.parts if part.multiplier]
    assert names == [
        "in the base image (layer 0)",
        "internet-facing",
        "handles payment data",
        "critical criticality",
    ]
    internal = BusinessContext(internet_facing=False, criticality=Criticality.LOW)
    assert vulnerability_risk(GLOB, base_layers=1, on_path=None, context=internal).score < (
        plain.score
    )


def test_scores_stay_within_0_and_100() -> None:
    context = BusinessContext(True, frozenset(DataClass), Criticality.CRITICAL)
    assert vulnerability_risk(HTTP2, base_layers=None, on_path=True, context=context).score == 100


def test_without_cvss_the_severity_stands_in() -> None:
    bare = replace(MARVIN, cvss=())
    score = vulnerability_risk(bare, base_layers=None, on_path=None, context=BusinessContext())
    assert score.parts[0].detail == "no CVSS vector; severity medium counts as 5.5"
    assert score.parts[0].value == 22.0


def test_base_layers_from_history() -> None:
    assert base_layer_count(IMAGE) == 1
    # The base image itself: its CMD is its own, so which layers are "base" is unknown.
    alone = replace(IMAGE, history=IMAGE.history[:2], layers=IMAGE.layers[:1])
    assert base_layer_count(alone) is None
    # A history that does not account for every layer says nothing.
    assert base_layer_count(replace(IMAGE, history=IMAGE.history[:4])) is None
    two_step = (
        HistoryEntry(created_by="/bin/sh -c #(nop) ADD file:abc in / "),
        HistoryEntry(created_by="RUN /bin/sh -c apt-get install -y python3 # buildkit"),
        HistoryEntry(created_by='ENTRYPOINT ["python3"]', empty_layer=True),
        *IMAGE.history[3:],
    )
    layers = (IMAGE.layers[0], *IMAGE.layers)
    layers = tuple(replace(layer, index=i) for i, layer in enumerate(layers))
    assert base_layer_count(replace(IMAGE, history=two_step, layers=layers)) == 2


def test_on_path_only_for_executables() -> None:
    directories = path_directories(IMAGE)
    assert "/usr/local/bin" in directories
    assert on_path(SHOPCTL, directories) is True
    assert (
        on_path(
            replace(SHOPCTL, locations=(replace(SHOPCTL.locations[0], path="/app/shopctl"),)),
            directories,
        )
        is False
    )
    assert on_path(URLLIB3, directories) is None


@pytest.mark.parametrize(
    ("scores", "grade"),
    [
        ([], Grade.A),
        ([10.0], Grade.A),
        ([30.0], Grade.B),
        ([50.0], Grade.C),
        ([70.0], Grade.D),
        ([80.0], Grade.F),
    ],
)
def test_grades(scores: list[float], grade: Grade) -> None:
    assert image_risk(scores).grade is grade


def test_breadth_raises_the_image_score() -> None:
    assert image_risk([50.0] * 20).score == 60.0
    assert image_risk([50.0, 10.0]).score == 50.5


def test_the_image_score_ignores_suppressed_findings() -> None:
    result = apply_policy(RESULT, now=NOW)
    assert result.image_risk is not None
    assert result.image_risk.grade is Grade.F
    assert result.image_risk.score >= max(d.risk.score for d in result.decisions)
    context = apply_policy(RESULT, context=BusinessContext(internet_facing=False), now=NOW)
    assert context.image_risk is not None and context.image_risk.score < result.image_risk.score
