"""The options `seawall scan` adds for the policy, VEX, baselines, business context and
report formats (light to import: only argparse and the option declarations)."""

import argparse
from enum import StrEnum
from pathlib import Path

from seawall.cli.parser import Toggle


class ReportFormat(StrEnum):
    """Every `seawall scan --format` value; `table` is rendered by rich, the rest are text."""

    table = "table"
    json = "json"
    sarif = "sarif"
    cyclonedx = "cyclonedx"
    junit = "junit"
    markdown = "markdown"
    html = "html"
    openvex = "openvex"
    cyclonedx_vex = "cyclonedx-vex"
    csaf_vex = "csaf-vex"


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """`--policy`, `--vex`, `--baseline`, `--show-reasons`, `--show-suppressed`, the
    business context and `--vex-author`, in the order `--help` lists them."""
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="Policy file (YAML, docs/policy.md): rules, ignores, context.",
    )
    parser.add_argument(
        "--vex",
        type=Path,
        action="append",
        metavar="FILE",
        help="OpenVEX, CycloneDX VEX or CSAF VEX document (repeatable).",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="A saved `--format json` result: only findings it lacks can fail the policy.",
    )
    parser.add_argument(
        "--show-reasons",
        action="store_true",
        help="Say why each finding matched and how it scored.",
    )
    parser.add_argument(
        "--show-suppressed",
        action="store_true",
        help="List ignored and VEX-suppressed findings too.",
    )
    parser.add_argument(
        "--internet-facing",
        "--internal",
        dest="internet_facing",
        action=Toggle,
        help="Whether the service is reachable from the internet.",
    )
    parser.add_argument(
        "--data",
        action="append",
        metavar="CLASS",
        help="Data the service handles: personal, payment, health, credentials.",
    )
    parser.add_argument(
        "--criticality",
        metavar="LEVEL",
        help="Business criticality: low, medium, high, critical.",
    )
    parser.add_argument(
        "--vex-author",
        default="seawall",
        metavar="NAME",
        help="Author (publisher) written into VEX output. [default: %(default)s]",
    )
