"""The image the accuracy test scans: real package-manager output in four layers.

Every package file comes from a real tool (see data/README.md and the
READMEs of tests/catalog/lang/data): Debian's dpkg status stanzas, pip's
dist-info and Debian's egg-info, a uv-compiled requirements file, npm's
node_modules and package-lock.json. The layers are what a Dockerfile would
make of them, with a later apt-get rewriting the dpkg status (an overwrite)
and a `pip uninstall` deleting one distribution (a whiteout).
"""

from pathlib import Path

from tests.support.imagebuild import (
    BuiltImage,
    Dir,
    Entry,
    File,
    ImageSpec,
    LayerSpec,
    Symlink,
    Whiteout,
    build_image,
)

TESTS = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "data" / "accuracy"
PYTHON = TESTS / "catalog" / "lang" / "data" / "python"
JAVASCRIPT = TESTS / "catalog" / "lang" / "data" / "javascript"
SITE = "usr/local/lib/python3.11/site-packages"
DIST = "usr/lib/python3/dist-packages"
PLATFORM = "linux/amd64"


def _tree(source: Path, target: str, seen: set[str], *, skip: tuple[str, ...] = ()) -> list[Entry]:
    """Every file under `source`, placed under `target`, with the parent directories not `seen`."""
    entries: list[Entry] = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if not path.is_file() or relative in skip:
            continue
        destination = f"{target}/{relative}"
        parts = destination.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent not in seen:
                seen.add(parent)
                entries.append(Dir(parent))
        entries.append(File(destination, path.read_bytes()))
    return entries


def accuracy_image() -> BuiltImage:
    """The four-layer image, built deterministically (same bytes every time)."""
    seen = {"usr", "usr/lib", "etc", "var", "var/lib", "var/lib/dpkg"}
    base = LayerSpec(
        [
            *(Dir(path) for path in sorted(seen)),
            File("usr/lib/os-release", (HERE / "os-release").read_bytes()),
            Symlink("etc/os-release", "../usr/lib/os-release"),
            File("etc/debian_version", (HERE / "debian_version").read_bytes()),
            File("var/lib/dpkg/status", (HERE / "status-base").read_bytes()),
            *_tree(PYTHON / "dist-packages", DIST, seen, skip=("pip-list.json",)),
        ],
        created_by="debootstrap --variant=minbase bookworm",
    )
    seen = {"usr", "usr/local", "usr/local/lib"}
    pip = LayerSpec(
        [
            *(Dir(path) for path in sorted(seen)),
            *_tree(PYTHON / "site-packages", SITE, seen, skip=("pip-list.json",)),
            *_tree(PYTHON / "requirements", "srv/app", seen, skip=("requirements.in",)),
        ],
        created_by="RUN pip install -r /srv/app/requirements.txt",
    )
    seen = set()
    npm = LayerSpec(
        [
            *_tree(JAVASCRIPT / "esbuild-optional", "srv/web", seen),
            *_tree(JAVASCRIPT / "installed", "srv/tools", seen, skip=("npm-ls.json",)),
            File(
                "srv/tools/package-lock.json",
                (JAVASCRIPT / "package-lock-v3" / "package-lock.json").read_bytes(),
            ),
        ],
        created_by="RUN cd /srv/web && npm install && cd /srv/tools && npm install",
    )
    apt = LayerSpec(
        [
            Dir("var/lib/dpkg"),
            File("var/lib/dpkg/status", (HERE / "status-apt").read_bytes()),
            Dir(SITE),
            Whiteout(f"{SITE}/PySocks-1.7.1.dist-info"),
        ],
        created_by="RUN apt-get install -y ca-certificates libssl3 && pip uninstall -y PySocks",
        compression="zstd",
    )
    return build_image(ImageSpec(steps=[base, pip, npm, apt], platform=PLATFORM))
