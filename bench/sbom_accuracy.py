"""SBOM accuracy: which packages syft or trivy report that seawall does not, and the reverse.

Runs seawall (native JSON), syft (syft-json) and trivy (CycloneDX) on the
docker-archive of every bench image (bench/images.py), keeps their raw
outputs under .cache/bench/results/accuracy/<image>/, and compares package
identities: purl type + name + version, normalised so that spelling is not
counted as a difference:

- PyPI names by PEP 503 (lower case, runs of `-_.` as one `-`);
- npm and Go names include their namespace (`@scope/name`, module path);
- Maven as `group:artifact`;
- Go versions without the `v` / `go` prefix (syft writes the toolchain as
  `go1.19.8`, trivy as `v1.19.8`), and `(devel)` / no version as unversioned;
- Debian versions with the epoch, whether a tool puts it in the version or
  in an `epoch` qualifier (the distro qualifier differs between tools and is
  ignored: syft writes `debian-12`, trivy the point release).

Containers that are not packages are skipped: trivy's `operating-system` and
`application` components (a Go binary, a lockfile). Each package keeps its
evidence (path and layer index): syft's primary locations; trivy's
`aquasecurity:trivy:FilePath`, or for Go modules the binary whose component
depends on them, or for OS packages the package database; seawall's
locations. A name present on both sides with other versions is shown as a
version difference, not as two packages.

Usage: .venv/bin/python bench/sbom_accuracy.py [--images NAME ...] [--no-seawall]
       [--json FILE]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from peers import (
    BENCH_CACHE,
    ROOT,
    Image,
    Peers,
    ensure_peers,
    load_images,
    peer_env,
    seawall_cmd,
    seawall_sbom_available,
    syft_cmd,
    trivy_cmd,
)

RESULTS = BENCH_CACHE / "results"
Key = tuple[str, str, str]  # (purl type, normalised name, normalised version)

SYFT_TYPES = {
    "deb": "deb",
    "python": "pypi",
    "npm": "npm",
    "go-module": "golang",
    "java-archive": "maven",
    "binary": "generic",
}
SEAWALL_ECOSYSTEMS = {
    "Debian": "deb",
    "PyPI": "pypi",
    "npm": "npm",
    "Go": "golang",
    "Maven": "maven",
}
TRIVY_OS_DATABASE = {"debian": "var/lib/dpkg/status", "ubuntu": "var/lib/dpkg/status"}


@dataclass(frozen=True, slots=True)
class Purl:
    type: str
    namespace: str
    name: str
    version: str
    qualifiers: dict[str, str]


def parse_purl(text: str) -> Purl | None:
    """A package URL split into its parts (purl-spec), percent-decoded; None if not one."""
    if not text.startswith("pkg:"):
        return None
    rest = text[4:].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        qualifiers[key.lower()] = unquote(value)
    # The version separator is the last '@' (a namespace's '@' is always encoded as %40).
    path, at, version = rest.rpartition("@")
    if not at:
        path, version = rest, ""
    parts = [unquote(part) for part in path.strip("/").split("/")]
    if len(parts) < 2:
        return None
    return Purl(parts[0].lower(), "/".join(parts[1:-1]), parts[-1], unquote(version), qualifiers)


def normalise(kind: str, namespace: str, name: str, version: str, epoch: str = "") -> Key:
    if kind == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    elif kind in ("npm", "golang"):
        name = f"{namespace}/{name}" if namespace else name
        name = name.lower() if kind == "npm" else name
    elif kind == "maven":
        name = f"{namespace}:{name}" if namespace else name
    if kind == "golang":
        version = "" if version in ("(devel)", "") else version
        version = version.removeprefix("go").removeprefix("v")
    if kind == "deb" and epoch and ":" not in version:
        version = f"{epoch}:{version}"
    return kind, name, version


@dataclass(slots=True)
class Inventory:
    """One tool's packages: identity -> where it saw each (path, layer index or None)."""

    tool: str
    packages: dict[Key, list[tuple[str, int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Debian packages only: (source package name, source version), as dpkg's
    # status says it, the binary's own name and version when Source: is absent.
    sources: dict[Key, tuple[str, str]] = field(default_factory=dict)

    def add(self, key: Key, path: str, layer: int | None) -> None:
        evidence = ("/" + path.lstrip("/") if path and not path.startswith("<") else path, layer)
        if evidence not in self.packages[key]:
            self.packages[key].append(evidence)


def key_from_purl(purl_text: str, fallback: tuple[str, str, str]) -> Key:
    purl = parse_purl(purl_text or "")
    if purl is None:
        return normalise(*fallback)
    return normalise(
        purl.type, purl.namespace, purl.name, purl.version, purl.qualifiers.get("epoch", "")
    )


def read_seawall(path: Path, diff_ids: list[str]) -> Inventory:
    document = json.loads(path.read_text())
    found = Inventory("seawall")
    for package in document["packages"]:
        kind = SEAWALL_ECOSYSTEMS.get(package["ecosystem"], package["ecosystem"].lower())
        key = key_from_purl(package["purl"], (kind, "", package["name"], package["version"]))
        if key[0] == "deb":
            found.sources[key] = (
                package["source_name"] or package["name"],
                package["source_version"] or package["version"],
            )
        locations = package["locations"] or [{"path": "", "layer": None}]
        for location in locations:
            found.add(key, location["path"], location["layer"])
    return found


def read_syft(path: Path, diff_ids: list[str]) -> Inventory:
    document = json.loads(path.read_text())
    found = Inventory("syft")
    for artifact in document["artifacts"]:
        kind = SYFT_TYPES.get(artifact["type"], artifact["type"])
        key = key_from_purl(
            artifact.get("purl", ""), (kind, "", artifact["name"], artifact["version"])
        )
        if key[0] == "deb":
            metadata = artifact.get("metadata") or {}
            found.sources[key] = (
                metadata.get("source") or artifact["name"],
                metadata.get("sourceVersion") or artifact["version"],
            )
        locations = artifact.get("locations") or []
        primary = [
            loc for loc in locations if loc.get("annotations", {}).get("evidence") == "primary"
        ] or locations
        for location in primary or [{"path": ""}]:
            layer = location.get("layerID")
            found.add(key, location["path"], diff_ids.index(layer) if layer in diff_ids else None)
    return found


def read_trivy(path: Path, diff_ids: list[str]) -> Inventory:
    document = json.loads(path.read_text())
    found = Inventory("trivy")
    components = document.get("components", [])
    by_ref = {component["bom-ref"]: component for component in components}
    # A Go module's evidence is the binary (an `application` component) it is
    # reached from: binary -> main module -> its dependencies.
    parent_of: dict[str, str] = {}
    for dependency in document.get("dependencies", []):
        for child in dependency.get("dependsOn", []):
            parent_of.setdefault(child, dependency["ref"])

    def binary_of(ref: str) -> str | None:
        for _ in range(len(parent_of) + 1):
            if ref not in parent_of:
                return None
            ref = parent_of[ref]
            if by_ref.get(ref, {}).get("type") == "application":
                return str(by_ref[ref]["name"])
        return None

    for component in components:
        if component["type"] in ("operating-system", "application"):
            continue
        props = {p["name"]: p["value"] for p in component.get("properties", [])}
        pkg_type = props.get("aquasecurity:trivy:PkgType", "")
        key = key_from_purl(
            component.get("purl", ""),
            (pkg_type, "", component["name"], component.get("version", "")),
        )
        if key[0] == "deb" and "aquasecurity:trivy:SrcName" in props:
            # trivy splits the source version into epoch, upstream version and revision.
            epoch = props.get("aquasecurity:trivy:SrcEpoch", "0")
            release = props.get("aquasecurity:trivy:SrcRelease", "")
            source_version = (
                ("" if epoch == "0" else f"{epoch}:")
                + props.get("aquasecurity:trivy:SrcVersion", "")
                + (f"-{release}" if release else "")
            )
            found.sources[key] = (props["aquasecurity:trivy:SrcName"], source_version)
        evidence = (
            props.get("aquasecurity:trivy:FilePath")
            or binary_of(component["bom-ref"])
            or TRIVY_OS_DATABASE.get(pkg_type, f"<{pkg_type or 'unknown'}>")
        )
        layer = props.get("aquasecurity:trivy:LayerDiffID")
        found.add(key, evidence, diff_ids.index(layer) if layer in diff_ids else None)
    return found


def diff_ids_of(image: Image) -> list[str]:
    """The image's layer diff IDs in order, from its OCI config, to name layers by index."""
    layout = image.oci_dir
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs/sha256" / manifest_digest[7:]).read_text())
    config = json.loads((layout / "blobs/sha256" / manifest["config"]["digest"][7:]).read_text())
    return list(config["rootfs"]["diff_ids"])


def run_tools(peers: Peers, image: Image, outdir: Path, with_seawall: bool) -> list[Inventory]:
    outdir.mkdir(parents=True, exist_ok=True)
    diff_ids = diff_ids_of(image)
    with tempfile.TemporaryDirectory(dir=BENCH_CACHE) as scratch:
        jobs = []
        if with_seawall:
            seawall_out = outdir / "seawall.json"
            command = seawall_cmd(
                image, "docker-archive", "json", seawall_out, Path(scratch) / "sw"
            )
            jobs.append((command, seawall_out, read_seawall))
        syft_out = outdir / "syft.json"
        jobs.append(
            (syft_cmd(peers, image, "docker-archive", "syft-json", syft_out), syft_out, read_syft)
        )
        trivy_out = outdir / "trivy.cdx.json"
        command = trivy_cmd(
            peers, image, "docker-archive", "cyclonedx", trivy_out, Path(scratch) / "tc"
        )
        jobs.append((command, trivy_out, read_trivy))
        inventories = []
        for command, output, reader in jobs:
            done = subprocess.run(
                command, env=peer_env(), capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                sys.exit(f"sbom_accuracy: failed: {' '.join(command)}\n{done.stderr[-2000:]}")
            inventories.append(reader(output, diff_ids))
    return inventories


def show_evidence(evidence: list[tuple[str, int | None]]) -> str:
    shown = [f"{path} [L{layer}]" if layer is not None else path for path, layer in evidence[:3]]
    more = f" (+{len(evidence) - 3} more)" if len(evidence) > 3 else ""
    return "; ".join(shown) + more


def compare(left: Inventory, right: Inventory) -> dict[str, list[dict[str, object]]]:
    """What `left` has that `right` lacks and the reverse, with version differences apart."""
    only_left = set(left.packages) - set(right.packages)
    only_right = set(right.packages) - set(left.packages)
    names_left = defaultdict(set)
    names_right = defaultdict(set)
    for kind, name, version in only_left:
        names_left[kind, name].add(version)
    for kind, name, version in only_right:
        names_right[kind, name].add(version)
    versions = []
    for kind, name in sorted(set(names_left) & set(names_right)):
        versions.append(
            {
                "type": kind,
                "name": name,
                left.tool: sorted(names_left[kind, name]),
                right.tool: sorted(names_right[kind, name]),
                f"{left.tool}_evidence": [
                    e for v in names_left[kind, name] for e in left.packages[kind, name, v]
                ],
                f"{right.tool}_evidence": [
                    e for v in names_right[kind, name] for e in right.packages[kind, name, v]
                ],
            }
        )
    both = {(entry["type"], entry["name"]) for entry in versions}

    def listing(keys: set[Key], inventory: Inventory) -> list[dict[str, object]]:
        return [
            {"type": k, "name": n, "version": v, "evidence": inventory.packages[k, n, v]}
            for k, n, v in sorted(keys)
            if (k, n) not in both
        ]

    sources = [
        {
            "type": kind,
            "name": name,
            "version": version,
            left.tool: list(left.sources[kind, name, version]),
            right.tool: list(right.sources[kind, name, version]),
        }
        for kind, name, version in sorted(set(left.sources) & set(right.sources))
        if left.sources[kind, name, version] != right.sources[kind, name, version]
    ]
    # The same package seen by both, but `right` names a path `left` does not:
    # a copy `left` missed (a nested node_modules, a second binary). Extra
    # paths on `left` are not listed (seawall also names the lockfile that
    # declares an installed package). OS packages are left out: their evidence
    # is the package database, whatever supporting files a tool also names.
    elsewhere = []
    for key in sorted(set(left.packages) & set(right.packages)):
        left_paths = {path for path, _ in left.packages[key]}
        right_paths = {path for path, _ in right.packages[key]}
        if key[0] != "deb" and right_paths - left_paths:
            kind, name, version = key
            elsewhere.append(
                {
                    "type": kind,
                    "name": name,
                    "version": version,
                    f"only_{left.tool}": sorted(left_paths - right_paths),
                    f"only_{right.tool}": sorted(right_paths - left_paths),
                }
            )
    return {
        "paths_differ": elsewhere,
        f"only_{left.tool}": listing(only_left, left),
        f"only_{right.tool}": listing(only_right, right),
        "version_differs": versions,
        "source_differs": sources,
    }


def print_comparison(left: Inventory, right: Inventory, found: dict[str, list]) -> None:
    print(f"\n  {left.tool} vs {right.tool}:")
    for tool in (right.tool, left.tool):
        other = left.tool if tool == right.tool else right.tool
        entries = found[f"only_{tool}"]
        print(f"    {tool} reports, {other} does not: {len(entries)}")
        for entry in entries:
            version = entry["version"] or "(no version)"
            evidence = show_evidence(entry["evidence"])  # type: ignore[arg-type]
            print(f"      {entry['type']}/{entry['name']}@{version}  <- {evidence}")
    versions = found["version_differs"]
    print(f"    same name, other versions: {len(versions)}")
    for entry in versions:
        print(
            f"      {entry['type']}/{entry['name']}: {left.tool} {entry[left.tool]}"
            f" ({show_evidence(entry[f'{left.tool}_evidence'])}),"
            f" {right.tool} {entry[right.tool]} ({show_evidence(entry[f'{right.tool}_evidence'])})"
        )
    elsewhere = found["paths_differ"]
    print(
        f"    same package, at a path {right.tool} names and {left.tool} does not: {len(elsewhere)}"
    )
    for entry in elsewhere:
        print(
            f"      {entry['type']}/{entry['name']}@{entry['version']}:"
            f" only {left.tool} {entry[f'only_{left.tool}']},"
            f" only {right.tool} {entry[f'only_{right.tool}']}"
        )
    sources = found["source_differs"]
    print(f"    Debian packages with another source package or version: {len(sources)}")
    for entry in sources:
        print(
            f"      {entry['name']}@{entry['version']}: {left.tool} {'@'.join(entry[left.tool])},"
            f" {right.tool} {'@'.join(entry[right.tool])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", nargs="*", help="bench images to compare (default: all)")
    parser.add_argument("--no-seawall", action="store_true", help="compare syft and trivy only")
    parser.add_argument("--json", type=Path, help="write the differences here as JSON")
    args = parser.parse_args()
    peers = ensure_peers()
    with_seawall = not args.no_seawall and seawall_sbom_available()
    if not with_seawall:
        print("sbom_accuracy: `seawall sbom` is not available; comparing the peers only")
    print(f"syft {peers.syft_version}, trivy {peers.trivy_version}")
    report: dict[str, object] = {"syft": peers.syft_version, "trivy": peers.trivy_version}
    for image in load_images(args.images):
        outdir = RESULTS / "accuracy" / image.name
        inventories = run_tools(peers, image, outdir, with_seawall)
        counts = ", ".join(f"{inv.tool} {len(inv.packages)}" for inv in inventories)
        print(f"\n{image.name}: distinct packages: {counts}  (raw: {outdir.relative_to(ROOT)})")
        by_tool = {inv.tool: inv for inv in inventories}
        pairs = [("seawall", "syft"), ("seawall", "trivy")] if with_seawall else []
        pairs.append(("syft", "trivy"))
        image_report = {}
        for left, right in pairs:
            found = compare(by_tool[left], by_tool[right])
            print_comparison(by_tool[left], by_tool[right], found)
            image_report[f"{left}_vs_{right}"] = found
        report[image.name] = image_report
    path = args.json or RESULTS / f"sbom_accuracy-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\ndifferences as JSON: {path}")


if __name__ == "__main__":
    main()
