"""`seawall diff` results: what a change introduced, fixed and kept, as text, JSON or Markdown.

JSON (`seawall.diff/v1`): subjects, the three finding lists, package changes,
and the per-layer grouping. The text and Markdown forms list introduced
findings first (what a reviewer must look at), then fixed ones, then package
changes by layer; unchanged findings are counted, not listed.
"""

import json
from typing import Any

from seawall.model.diff import FindingRef, LayerChanges, ScanDiff
from seawall.report.scan.common import short_created_by
from seawall.report.scan.markdown import md
from seawall.report.terminal import printable

SCHEMA_ID = "seawall.diff/v1"


def _ref(ref: FindingRef) -> dict[str, Any]:
    return {
        "kind": ref.kind.value,
        "id": ref.id,
        "severity": ref.severity.value,
        "title": ref.title,
        "layer": ref.layer,
        "fingerprint": ref.fingerprint,
    }


def _layer(group: LayerChanges) -> dict[str, Any]:
    return {
        "side": group.side,
        "index": group.index,
        "diff_id": group.diff_id,
        "created_by": group.created_by,
        "in_both": group.in_both,
        "introduced": list(group.introduced),
        "fixed": list(group.fixed),
        "packages_added": list(group.packages_added),
        "packages_removed": list(group.packages_removed),
        "packages_changed": list(group.packages_changed),
    }


def diff_to_dict(change: ScanDiff) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "old": change.old_subject,
        "new": change.new_subject,
        "improved": change.improved,
        "introduced": [_ref(r) for r in change.introduced],
        "fixed": [_ref(r) for r in change.fixed],
        "unchanged": [_ref(r) for r in change.unchanged],
        "packages": [
            {
                "change": p.kind.value,
                "name": p.name,
                "ecosystem": p.ecosystem,
                "purl": p.purl,
                "old_version": p.old_version,
                "new_version": p.new_version,
                "layer": p.layer,
            }
            for p in change.packages
        ],
        "layers": [_layer(group) for group in change.layers],
    }


def render_diff_json(change: ScanDiff) -> str:
    return json.dumps(diff_to_dict(change), indent=2, ensure_ascii=False) + "\n"


def _layer_title(group: LayerChanges) -> str:
    if group.index is None:
        return f"{group.side} image, no layer known"
    step = short_created_by(group.created_by) if group.created_by else ""
    shared = ", shared" if group.in_both else ""
    return f"{group.side} image layer {group.index}{shared}" + (f": {step[:60]}" if step else "")


def render_diff_text(change: ScanDiff) -> str:
    lines = [printable(f"{change.old_subject} → {change.new_subject}")]
    lines.append(
        f"{len(change.introduced)} introduced, {len(change.fixed)} fixed,"
        f" {len(change.unchanged)} unchanged; {len(change.packages)} package changes"
    )
    for title, refs in (("Introduced", change.introduced), ("Fixed", change.fixed)):
        if refs:
            lines.append(f"{title}:")
            lines.extend(
                printable(f"  {r.severity.value:<10} {r.id} {r.title} (layer {r.layer})")
                for r in refs
            )
    for group in change.layers:
        packages = [
            *(f"+ {p}" for p in group.packages_added),
            *(f"- {p}" for p in group.packages_removed),
            *(f"~ {p}" for p in group.packages_changed),
        ]
        if packages:
            lines.append(printable(_layer_title(group)))
            lines.extend(printable(f"  {p}") for p in packages)
    return "\n".join(lines) + "\n"


def _at(layer: int | None) -> str:
    return "-" if layer is None else str(layer)


def render_diff_markdown(change: ScanDiff) -> str:
    verdict = (
        "improves"
        if change.improved
        else ("introduces findings" if change.introduced else "changes nothing found")
    )
    parts = [
        f"### seawall diff: {md(change.old_subject)} → {md(change.new_subject)} ({verdict})",
        f"{len(change.introduced)} introduced · {len(change.fixed)} fixed ·"
        f" {len(change.unchanged)} unchanged · {len(change.packages)} package changes",
    ]
    for title, refs in (("Introduced", change.introduced), ("Fixed", change.fixed)):
        if refs:
            rows = "\n".join(
                f"| {r.severity.value} | {md(r.id)} | {md(r.title)} | {_at(r.layer)} |"
                for r in refs[:100]
            )
            parts.append(
                f"#### {title}\n\n| severity | id | what | layer |\n|---|---|---|---:|\n{rows}"
            )
    if change.packages:
        items = "\n".join(
            f"- {p.kind.value} {md(p.name)} {md(p.old_version or '')} → {md(p.new_version or '')}"
            for p in change.packages[:200]
        )
        parts.append(
            f"<details><summary>{len(change.packages)} package changes</summary>\n\n"
            f"{items}\n\n</details>"
        )
    return "\n\n".join(parts) + "\n"
