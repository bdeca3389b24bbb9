"""The scan table's "Secrets" and "Misconfigurations" sections: order, width, colour,
suppression, hostile text."""

import io
from dataclasses import replace

import pytest
from rich.cells import cell_len
from rich.console import Console

from seawall.model.finding import SecretLocation, SecretSource, Severity
from seawall.model.scan import ScanResult
from seawall.policy import apply_policy, parse_policy
from seawall.report.scan import ScanReportOptions, render_table
from seawall.report.scan.sections import short_remediation
from tests.policy.scanfixture import AWS_KEY, ENV_SECRET, HISTORY_PASSWORD, NO_HEALTHCHECK, RESULT
from tests.report.scan.goldens import check_golden
from tests.report.scan.policyresult import DECIDED, NOW


def render(
    result: ScanResult = DECIDED, width: int = 160, options: ScanReportOptions | None = None
) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO(), record=True)
    console.print(render_table(result, options))
    return console.export_text()


def section(text: str, title: str) -> str:
    """The lines from the section heading up to the next blank-line-separated heading."""
    start = text.index(f"\n{title} · ")
    ends = [text.find(f"\n{t} · ", start + 1) for t in ("Misconfigurations",)] + [
        text.find("\n11 vulnerabilities", start + 1)
    ]
    end = min(e for e in ends if e != -1)
    return text[start:end]


def test_golden_sections_wide_and_narrow() -> None:
    wide = render(options=ScanReportOptions(show_suppressed=True))
    narrow = render(width=80)
    check_golden("table-160-sections.txt", wide[wide.index("\nSecrets · ") + 1 :])
    check_golden("table-80-sections.txt", narrow[narrow.index("\nSecrets · ") + 1 :])


def test_sections_come_after_the_vulnerabilities_and_before_the_summary() -> None:
    text = render()
    assert (
        text.index("CVE-2010-4756")
        < text.index("Secrets · 2 (1 critical, 1 high)")
        < text.index("Misconfigurations · 2 (1 high, 1 low)")
        < text.index("11 vulnerabilities in")
    )


def test_secret_rows_say_rule_where_layers_and_preview_only() -> None:
    text = section(render(), "Secrets")
    aws = next(line for line in text.splitlines() if "aws-access-key-id" in line)
    for cell in ("100.0", "critical", "/app/.env:3", "layer 3 → 4", "AKIA… (20 chars"):
        assert cell in aws
    assert "still extractable" in text and "1 still extractable from a deleted file" in text
    history = next(line for line in text.splitlines() if "generic-password" in line)
    assert "history[6]" in history and "hunt… (14 chars" in history


def test_config_field_and_git_locations() -> None:
    in_env = replace(
        AWS_KEY,
        location=SecretLocation(SecretSource.CONFIG, field="Env[2]"),
        fingerprint="f" * 64,
    )
    in_git = replace(
        HISTORY_PASSWORD,
        location=SecretLocation(SecretSource.GIT, path="app/settings.py", line=9, commit="ab" * 20),
        fingerprint="e" * 64,
    )
    text = render(replace(RESULT, secrets=(in_env, in_git), misconfigurations=()))
    assert "Env[2]" in text and "app/settings.py:9 @ abababababab" in text
    assert "Misconfigurations ·" not in text


def test_misconfig_rows_say_check_target_message_and_short_fix() -> None:
    text = section(render(), "Misconfigurations")
    env = next(line for line in text.splitlines() if "SW-DF-0010" in line)
    for cell in ("55.2", "high", "image config", "ENV DB_PASSWORD sets a credential"):
        assert cell in env
    assert " warn " in text.splitlines()[text.splitlines().index(env) + 1]
    assert "fix: Pass credentials at run time" in text
    in_file = replace(
        NO_HEALTHCHECK, target="Deployment/web", path="k8s/web.yaml", line=14, layer=None
    )
    shown = render(replace(RESULT, misconfigurations=(in_file,), secrets=()), width=200)
    assert "Deployment/web" in shown and "k8s/web.yaml:14" in shown


def test_sorted_by_severity_then_location() -> None:
    low_a = replace(AWS_KEY, severity=Severity.LOW, fingerprint="1" * 64, rule_id="rule-low-a")
    crit_z = replace(
        AWS_KEY,
        location=replace(AWS_KEY.location, path="/z/.env"),
        rule_id="rule-crit-z",
        fingerprint="2" * 64,
    )
    crit_a = replace(
        AWS_KEY,
        location=replace(AWS_KEY.location, path="/a/.env"),
        rule_id="rule-crit-a",
        fingerprint="3" * 64,
    )
    medium = replace(ENV_SECRET, severity=Severity.MEDIUM, check_id="SW-MED", fingerprint="4" * 64)
    critical = replace(NO_HEALTHCHECK, severity=Severity.CRITICAL, check_id="SW-CRIT")
    result = replace(
        RESULT, secrets=(low_a, crit_z, crit_a), misconfigurations=(medium, critical), policy=None
    )
    text = render(result)
    assert text.index("rule-crit-a") < text.index("rule-crit-z") < text.index("rule-low-a")
    assert text.index("SW-CRIT") < text.index("SW-MED")
    assert "risk" not in section(text, "Secrets")  # no policy, no risk column


def test_suppressed_secrets_only_with_show_suppressed() -> None:
    policy = parse_policy(
        f"""\
version: 1
rules: [{{name: leaked, secret: {{}}}}]
ignores:
  - fingerprint: {AWS_KEY.fingerprint}
    reason: a revoked test key
    owner: sec@example.com
    expires: 2027-01-01
""",
        "p.yaml",
    )
    result = replace(RESULT, policy=apply_policy(RESULT, policy, now=NOW))
    hidden = render(result)
    assert "aws-access-key-id" not in hidden and "generic-password" in hidden
    assert "Secrets · 1 (1 high)" in hidden
    assert "1 hidden: --show-suppressed lists them" in hidden
    listed = render(result, options=ScanReportOptions(show_suppressed=True))
    aws = next(line for line in listed.splitlines() if "aws-access-key-id" in line)
    following = listed.splitlines()[listed.splitlines().index(aws) + 1]
    assert "suppressed" in following


@pytest.mark.parametrize("width", [60, 80, 109, 110, 150, 200])
def test_sections_fit_the_width(width: int) -> None:
    text = render(width=width, options=ScanReportOptions(show_suppressed=True))
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert "aws-access-key-id" in text and "SW-DF-0006" in text
    assert ("severity" in section(text, "Secrets")) is (width >= 110)


def test_colour_follows_severity_and_hostile_text_is_shown_not_obeyed() -> None:
    evil = replace(
        ENV_SECRET, message="[bold]x[/bold]\x1b[2J", target="image\u202econfig", remediation=""
    )
    result = replace(RESULT, misconfigurations=(evil,), policy=None)
    console = Console(width=160, color_system="truecolor", file=io.StringIO(), force_terminal=True)
    console.print(render_table(result))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold]x[/bold]\\x1b[2J" in out and "\\u202e" in out
    assert "\x1b[2J" not in out and "\u202e" not in out
    assert "\x1b[1;31mcritical" in out  # the critical secret in bold red
    assert "fix:" not in out


def test_short_remediation() -> None:
    assert short_remediation("Use COPY. ADD fetches URLs.") == "Use COPY."
    long = "word " * 40
    cut = short_remediation(long)
    assert len(cut) <= 80 and cut.endswith("…")
    assert short_remediation("Pin the\n  image digest") == "Pin the image digest"
