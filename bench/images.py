"""Builds the real images the SBOM benchmarks scan, once, under .cache/bench/images/.

Every package in them was installed by its own package manager on this
machine, so the peers and seawall read the files real images hold:

- `debian-base`: `debootstrap --variant=minbase bookworm`, one layer.
- `debian-app`: debian-base plus three layers: Python distributions installed by
  `pip install --target /usr/local/lib/python3.11/dist-packages` from PyPI
  (with the requirements.txt they came from), a `node_modules` tree made by
  `npm install` with its package-lock.json (esbuild brings a Go binary from
  npm), and Go binaries (a program built with Debian's Go from two vendored
  modules, plus Debian's own `go` and `gofmt`) beside jars from Maven's lib.
- `debian-py`: debian-base plus one layer of Debian packages installed by
  apt-get in a chroot (python3 and python3-requests), sharing debian-base's
  layer byte for byte, so a second image hits the per-layer cache.

Each image is an OCI layout made by umoci (`<name>/oci`, tag `latest`),
copied by skopeo into a docker-archive (`<name>/docker.tar`) and an
oci-archive (`<name>/oci.tar`) for tools that read only tarballs. The Debian
mirror is read from this machine's apt sources at run time, never stored;
the images' own sources.list names deb.debian.org as Debian's images do.
`images.json` lists what was built. Building needs root (debootstrap, chroot).

Usage: .venv/bin/python bench/images.py [--workdir DIR] [--rebuild NAME ...]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKDIR = ROOT / ".cache" / "bench" / "images"
TAG = "latest"
SUITE = "bookworm"
IMAGE_SOURCES_LIST = f"deb http://deb.debian.org/debian {SUITE} main\n"

PIP_REQUIREMENTS = [
    "requests==2.31.0",
    "flask==2.3.3",
    "urllib3==1.26.5",
    "django==3.2.0",
    "pyyaml==6.0.1",
    "jinja2==3.1.2",
    "cryptography==41.0.3",
]
NPM_PACKAGE_JSON = {
    "name": "bench-app",
    "version": "1.0.0",
    "private": True,
    "dependencies": {
        "express": "4.18.2",
        "lodash": "4.17.15",
        "minimist": "0.0.8",
        "axios": "1.6.0",
        "esbuild": "0.19.5",
    },
}
GO_MODULES = {
    # module path -> (version Debian packages, source directory it installs)
    "github.com/google/uuid": ("v1.3.0", "/usr/share/gocode/src/github.com/google/uuid"),
    "github.com/pkg/errors": ("v0.9.1", "/usr/share/gocode/src/github.com/pkg/errors"),
}
GO_MAIN = """package main

import (
\t"fmt"

\t"github.com/google/uuid"
\t"github.com/pkg/errors"
)

func main() {
\tfmt.Println(uuid.New(), errors.New("bench"))
}
"""
JARS = [
    "guava.jar",
    "commons-lang3.jar",
    "commons-io.jar",
    "slf4j-api.jar",
    "maven-core-3.x.jar",
    "wagon-http-shaded.jar",
]
DEBIAN_EXTRA = ["python3", "python3-requests"]


def run(cmd: list[str], **kwargs: Any) -> None:
    print("images: " + " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kwargs)


def debian_mirror() -> str:
    """The mirror this machine's apt uses (deb822 or one-line sources), as scripts/demo reads it."""
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:"):
                for uri in line.split()[1:]:
                    if "security" not in uri:
                        return uri
    sources = Path("/etc/apt/sources.list")
    if sources.exists():
        for line in sources.read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[0] == "deb" and "security" not in fields[1]:
                return fields[1]
    sys.exit("images: no Debian mirror found in the apt sources")


def debootstrap(workdir: Path) -> Path:
    """A minbase bookworm root filesystem, made once and kept for later builds."""
    rootfs = workdir / "rootfs-bookworm"
    if (rootfs / ".bench-complete").exists():
        return rootfs
    shutil.rmtree(rootfs, ignore_errors=True)
    log = workdir / "debootstrap.log"
    with log.open("w") as handle:
        subprocess.run(
            ["debootstrap", "--variant=minbase", SUITE, str(rootfs), debian_mirror()],
            check=True,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    # What the image keeps is Debian's public mirror, as official images have.
    (rootfs / "etc/apt/sources.list").write_text(IMAGE_SOURCES_LIST)
    for leftover in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for path in (rootfs / leftover).glob("*"):
            if path.is_file():
                path.unlink()
    (rootfs / ".bench-complete").touch()
    return rootfs


@dataclass(frozen=True, slots=True)
class Step:
    """One layer: what it does to the root filesystem, and its history line."""

    created_by: str
    apply: Callable[[Path, Path], None]  # (rootfs, scratch directory)


def step_debootstrap(workdir: Path) -> Step:
    def apply(rootfs: Path, scratch: Path) -> None:
        run(["cp", "-a", f"{debootstrap(workdir)}/.", f"{rootfs}/"])
        (rootfs / ".bench-complete").unlink()

    return Step(f"debootstrap --variant=minbase {SUITE}", apply)


def apply_pip(rootfs: Path, scratch: Path) -> None:
    app = rootfs / "srv/app"
    app.mkdir(parents=True, exist_ok=True)
    requirements = app / "requirements.txt"
    requirements.write_text("".join(line + "\n" for line in PIP_REQUIREMENTS))
    target = rootfs / "usr/local/lib/python3.11/dist-packages"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-warn-script-location",
            "--target",
            str(target),
            "-r",
            str(requirements),
        ]
    )


def apply_npm(rootfs: Path, scratch: Path) -> None:
    app = rootfs / "srv/app"
    app.mkdir(parents=True, exist_ok=True)
    (app / "package.json").write_text(json.dumps(NPM_PACKAGE_JSON, indent=2) + "\n")
    run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
            "--cache",
            str(scratch / "npm-cache"),
        ],
        cwd=app,
    )


def apply_go_and_jars(rootfs: Path, scratch: Path) -> None:
    src = scratch / "benchapp"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    requires = "".join(f"\t{path} {version}\n" for path, (version, _) in GO_MODULES.items())
    (src / "go.mod").write_text(
        f"module example.com/benchapp\n\ngo 1.19\n\nrequire (\n{requires})\n"
    )
    (src / "main.go").write_text(GO_MAIN)
    # Vendored modules: the build info records each with its version from
    # vendor/modules.txt ("go help vendor"), with no network and no GOPROXY.
    modules_txt = []
    for path, (version, directory) in GO_MODULES.items():
        shutil.copytree(
            directory, src / "vendor" / path, ignore=shutil.ignore_patterns("*_test.go", "testdata")
        )
        modules_txt += [f"# {path} {version}", "## explicit", path]
    (src / "vendor/modules.txt").write_text("\n".join(modules_txt) + "\n")
    bindir = rootfs / "usr/local/bin"
    bindir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "GOFLAGS": "-mod=vendor",
        "GOPROXY": "off",
        "CGO_ENABLED": "0",
        "GOCACHE": str(scratch / "gocache"),
    }
    run(
        ["go", "build", "-trimpath", "-buildvcs=false", "-o", str(bindir / "benchapp"), "."],
        cwd=src,
        env=env,
    )
    gobin = rootfs / "usr/local/go/bin"
    gobin.mkdir(parents=True, exist_ok=True)
    for tool in ("go", "gofmt"):
        shutil.copy2(f"/usr/lib/go-1.19/bin/{tool}", gobin / tool)
    lib = rootfs / "opt/app/lib"
    lib.mkdir(parents=True, exist_ok=True)
    for jar in JARS:
        shutil.copy2(Path("/usr/share/maven/lib") / jar, lib / jar)


def apply_apt(rootfs: Path, scratch: Path) -> None:
    sources = rootfs / "etc/apt/sources.list"
    sources.write_text(f"deb {debian_mirror()} {SUITE} main\n")
    try:
        env = {
            "DEBIAN_FRONTEND": "noninteractive",
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C",
        }
        run(["chroot", str(rootfs), "apt-get", "update", "-qq"], env=env)
        run(
            [
                "chroot",
                str(rootfs),
                "apt-get",
                "install",
                "-y",
                "-qq",
                "-o",
                "Dpkg::Use-Pty=0",
                "--no-install-recommends",
                *DEBIAN_EXTRA,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
    finally:
        sources.write_text(IMAGE_SOURCES_LIST)
    run(["chroot", str(rootfs), "apt-get", "clean"])
    for path in (rootfs / "var/lib/apt/lists").glob("*"):
        if path.is_file():
            path.unlink()


def images(workdir: Path) -> dict[str, tuple[str | None, list[Step], list[str]]]:
    """name -> (parent image or None, the layers it adds, its CMD)."""
    return {
        "debian-base": (None, [step_debootstrap(workdir)], ["bash"]),
        "debian-app": (
            "debian-base",
            [
                Step(
                    "RUN pip install --target /usr/local/lib/python3.11/dist-packages"
                    " -r requirements.txt",
                    apply_pip,
                ),
                Step("RUN cd /srv/app && npm install", apply_npm),
                Step("COPY benchapp go gofmt *.jar", apply_go_and_jars),
            ],
            ["/usr/local/bin/benchapp"],
        ),
        "debian-py": (
            "debian-base",
            [
                Step(
                    f"RUN apt-get install -y {' '.join(DEBIAN_EXTRA)}"
                    " && rm -rf /var/lib/apt/lists/*",
                    apply_apt,
                )
            ],
            ["python3"],
        ),
    }


def build(workdir: Path, name: str, parent: str | None, steps: list[Step], cmd: list[str]) -> bool:
    """Build one image unless it is there already; True if it was built now."""
    out = workdir / name
    if (out / "oci.tar").exists():
        return False
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir))
    layout = work / "oci"
    image = f"{layout}:{TAG}"
    if parent is None:
        run(["umoci", "init", "--layout", str(layout)])
        run(["umoci", "new", "--image", image])
    else:
        # A copy of the parent's layout: its layers stay the same blobs, same digests.
        run(["cp", "-a", str(workdir / parent / "oci"), str(layout)])
    bundle = work / "bundle"
    run(["umoci", "unpack", "--image", image, str(bundle)], stdout=subprocess.DEVNULL)
    scratch = work / "scratch"
    scratch.mkdir()
    for step in steps:
        step.apply(bundle / "rootfs", scratch)
        run(
            [
                "umoci",
                "repack",
                "--refresh-bundle",
                "--image",
                image,
                "--history.created_by",
                step.created_by,
                str(bundle),
            ]
        )
    config = ["umoci", "config", "--image", image, "--history.created_by", f"CMD {json.dumps(cmd)}"]
    for word in cmd:
        config += ["--config.cmd", word]
    run(config)
    run(["umoci", "gc", "--layout", str(layout)])
    shutil.rmtree(bundle)
    shutil.rmtree(scratch)
    run(
        [
            "skopeo",
            "copy",
            "--quiet",
            f"oci:{image}",
            f"docker-archive:{work}/docker.tar:bench/{name}:{TAG}",
        ]
    )
    run(["skopeo", "copy", "--quiet", f"oci:{image}", f"oci-archive:{work}/oci.tar:{TAG}"])
    shutil.rmtree(out, ignore_errors=True)
    work.rename(out)
    return True


def describe(workdir: Path) -> dict[str, dict[str, object]]:
    listing: dict[str, dict[str, object]] = {}
    for name, (parent, _, _) in images(workdir).items():
        out = workdir / name
        index = json.loads((out / "oci/index.json").read_text())
        manifest_digest = index["manifests"][0]["digest"]
        manifest = json.loads((out / "oci/blobs/sha256" / manifest_digest[7:]).read_text())
        listing[name] = {
            "parent": parent,
            "oci_dir": str(out / "oci"),
            "tag": TAG,
            "docker_archive": str(out / "docker.tar"),
            "oci_archive": str(out / "oci.tar"),
            "manifest": manifest_digest,
            "layers": [layer["digest"] for layer in manifest["layers"]],
            "layer_bytes": sum(layer["size"] for layer in manifest["layers"]),
        }
    return listing


def check_build_tools() -> None:
    """Stop early, naming the Debian packages to install, if a build tool is missing."""
    needed = {
        "debootstrap": "debootstrap",
        "umoci": "umoci",
        "skopeo": "skopeo",
        "go": "golang-go",
        "npm": "npm",
        "chroot": "coreutils",
    }
    missing = sorted({package for tool, package in needed.items() if shutil.which(tool) is None})
    missing += sorted(
        f"golang-{path.replace('github.com/', 'github-').replace('/', '-')}-dev"
        for path, (_, directory) in GO_MODULES.items()
        if not Path(directory).is_dir()
    )
    if not Path("/usr/share/maven/lib").is_dir():
        missing.append("maven")
    if missing:
        sys.exit(f"images: install these Debian packages first: {' '.join(missing)}")


def ensure_images(
    workdir: Path = DEFAULT_WORKDIR, rebuild: list[str] | None = None
) -> dict[str, dict[str, object]]:
    """Build what is missing (parents first) and return images.json's content."""
    if os.geteuid() != 0 and not all(
        (workdir / name / "oci.tar").exists() for name in images(workdir)
    ):
        sys.exit("images: building the bench images needs root (debootstrap, chroot)")
    workdir.mkdir(parents=True, exist_ok=True)
    plan = images(workdir)
    if not all((workdir / name / "oci.tar").exists() for name in plan) or rebuild:
        check_build_tools()
    unknown = set(rebuild or []) - set(plan)
    if unknown:
        sys.exit(f"images: no such bench image: {', '.join(sorted(unknown))}")
    for name in rebuild or []:
        shutil.rmtree(workdir / name, ignore_errors=True)
    built: set[str] = set()
    for name, (parent, steps, cmd) in plan.items():
        if parent in built:
            # A new parent has new layer digests: its children must share them.
            shutil.rmtree(workdir / name, ignore_errors=True)
        if build(workdir, name, parent, steps, cmd):
            built.add(name)
    listing = describe(workdir)
    (workdir / "images.json").write_text(json.dumps(listing, indent=2) + "\n")
    return listing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--rebuild", nargs="*", default=[], help="images to build again (children too)"
    )
    args = parser.parse_args()
    print(json.dumps(ensure_images(args.workdir, args.rebuild), indent=2))


if __name__ == "__main__":
    main()
