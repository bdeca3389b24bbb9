"""Builds real container images from fixture trees, for tests only.

Layers, configs and history are described as data; the builder turns them into
the real formats byte for byte: layer tars (with whiteouts and opaque
directories as the OCI image spec's layer.md writes them), image configs
(config.md), OCI and docker v2.2 manifests and indexes (manifest.md,
image-index.md), and three containers for them:

- `write_docker_archive`: what `docker save` writes, in the legacy layout
  (`manifest.json`, `<id>/layer.tar`, `<config>.json`, `repositories`) or the
  docker >= 25 layout that embeds an OCI layout (`blobs/sha256/...`, `index.json`);
- `write_oci_layout` / `write_oci_archive`: an OCI image layout directory
  (image-layout.md) and a tar of it.

Everything is deterministic (fixed mtimes, owners and ordering; gzip without a
timestamp), so tests can assert exact digests. Media types are spelled out here
as literal strings on purpose: the builder is an independent statement of the
formats, not a second use of seawall's constants.

Example::

    image = build_image(ImageSpec(steps=[
        LayerSpec([Dir("etc"), File("etc/os-release", b"ID=debian\\n")], created_by="ADD rootfs /"),
        EmptyStep("ENV PATH=/usr/bin"),
        LayerSpec([Whiteout("etc/os-release")], compression="zstd"),
    ]))
    write_oci_layout(tmp_path / "layout", [(image, "v1")])
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import zstandard

MTIME = 1_700_000_000
"""Every tar member's modification time."""
CREATED = "2024-01-02T03:04:05Z"

Compression = Literal["none", "gzip", "zstd"]
Flavour = Literal["oci", "docker"]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"

_LAYER_TYPES: dict[tuple[Flavour, Compression, bool], str] = {
    ("oci", "none", False): "application/vnd.oci.image.layer.v1.tar",
    ("oci", "gzip", False): "application/vnd.oci.image.layer.v1.tar+gzip",
    ("oci", "zstd", False): "application/vnd.oci.image.layer.v1.tar+zstd",
    ("oci", "none", True): "application/vnd.oci.image.layer.nondistributable.v1.tar",
    ("oci", "gzip", True): "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    ("oci", "zstd", True): "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    ("docker", "none", False): "application/vnd.docker.image.rootfs.diff.tar",
    ("docker", "gzip", False): "application/vnd.docker.image.rootfs.diff.tar.gzip",
    ("docker", "zstd", False): "application/vnd.docker.image.rootfs.diff.tar.zstd",
    ("docker", "gzip", True): "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    ("docker", "none", True): "application/vnd.docker.image.rootfs.foreign.diff.tar",
}


def sha256(data: bytes) -> str:
    """`sha256:<hex>` of some bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys, as registries and containerd write it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


# ---------------------------------------------------------------- layer entries


@dataclass(frozen=True)
class File:
    """A regular file."""

    path: str
    content: bytes = b""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True)
class Dir:
    """A directory."""

    path: str
    mode: int = 0o755
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True)
class Symlink:
    """A symbolic link; `target` is written as given."""

    path: str
    target: str


@dataclass(frozen=True)
class HardLink:
    """A hard link to `target`, a path written earlier in the same layer."""

    path: str
    target: str


@dataclass(frozen=True)
class Whiteout:
    """Deletes `path` from lower layers: writes `dir/.wh.NAME`."""

    path: str


@dataclass(frozen=True)
class Opaque:
    """Hides everything lower layers put in directory `path`: writes `path/.wh..wh..opq`."""

    path: str


@dataclass(frozen=True)
class Raw:
    """Any tar member exactly as given, for hostile inputs (`../x`, `/etc/x`, devices)."""

    name: str
    type: bytes = tarfile.REGTYPE
    content: bytes = b""
    linkname: str = ""
    mode: int = 0o644


Entry = File | Dir | Symlink | HardLink | Whiteout | Opaque | Raw


def _info(name: str, kind: bytes, mode: int, uid: int = 0, gid: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid = uid
    info.gid = gid
    info.mtime = MTIME
    info.uname = "root" if uid == 0 else ""
    info.gname = "root" if gid == 0 else ""
    return info


def _split(path: str) -> tuple[str, str]:
    parent, _, name = path.rstrip("/").rpartition("/")
    return parent, name


def tar_bytes(entries: Iterable[Entry], *, tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """A deterministic tar holding `entries` in the order given."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tar_format) as tar:
        for entry in entries:
            data: bytes | None = None
            match entry:
                case File():
                    info = _info(entry.path, tarfile.REGTYPE, entry.mode, entry.uid, entry.gid)
                    data = entry.content
                case Dir():
                    info = _info(
                        entry.path.rstrip("/") + "/",
                        tarfile.DIRTYPE,
                        entry.mode,
                        entry.uid,
                        entry.gid,
                    )
                case Symlink():
                    info = _info(entry.path, tarfile.SYMTYPE, 0o777)
                    info.linkname = entry.target
                case HardLink():
                    info = _info(entry.path, tarfile.LNKTYPE, 0o644)
                    info.linkname = entry.target
                case Whiteout():
                    parent, name = _split(entry.path)
                    prefix = f"{parent}/" if parent else ""
                    info = _info(f"{prefix}.wh.{name}", tarfile.REGTYPE, 0o644)
                    data = b""
                case Opaque():
                    info = _info(f"{entry.path.rstrip('/')}/.wh..wh..opq", tarfile.REGTYPE, 0o644)
                    data = b""
                case Raw():
                    info = _info(entry.name, entry.type, entry.mode)
                    info.linkname = entry.linkname
                    data = (
                        entry.content if entry.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else None
                    )
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return out.getvalue()


def compress(data: bytes, compression: Compression) -> bytes:
    """`data` compressed deterministically (gzip without a timestamp, one zstd frame)."""
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(data)
    return data


# ---------------------------------------------------------------- image specs


@dataclass(frozen=True)
class LayerSpec:
    """One filesystem layer and the build step that made it."""

    entries: Sequence[Entry]
    created_by: str = "ADD files /"
    compression: Compression = "gzip"
    foreign: bool = False
    """Non-distributable: the manifest references it by URL; containers leave the blob out."""
    urls: tuple[str, ...] = ()
    tar_format: int = tarfile.PAX_FORMAT


@dataclass(frozen=True)
class EmptyStep:
    """A history entry that made no layer (ENV, CMD, LABEL ...)."""

    created_by: str


@dataclass(frozen=True)
class ConfigSpec:
    """The runtime config of an image (docker's `config` object)."""

    entrypoint: Sequence[str] | None = None
    cmd: Sequence[str] | None = None
    user: str | None = None
    env: Sequence[str] = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)
    labels: Mapping[str, str] = field(default_factory=dict)
    exposed_ports: Sequence[str] = ()
    volumes: Sequence[str] = ()
    workdir: str | None = None
    stop_signal: str | None = None
    healthcheck: Sequence[str] | None = None


@dataclass(frozen=True)
class ImageSpec:
    """An image: its steps (layers and empty history entries, in build order) and config."""

    steps: Sequence[LayerSpec | EmptyStep]
    config: ConfigSpec = field(default_factory=ConfigSpec)
    platform: str = "linux/amd64"
    """`os/arch[/variant]`."""
    flavour: Flavour = "oci"
    """Media types of the manifest, config and layers: OCI or docker v2.2."""
    created: str = CREATED
    author: str | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def layers(self) -> list[LayerSpec]:
        return [step for step in self.steps if isinstance(step, LayerSpec)]


# ---------------------------------------------------------------- built values


@dataclass(frozen=True)
class BuiltLayer:
    """A layer as bytes: its tar, its stored blob and their digests."""

    spec: LayerSpec
    tar: bytes
    blob: bytes
    media_type: str
    digest: str
    diff_id: str

    @property
    def size(self) -> int:
        return len(self.blob)

    def descriptor(self) -> dict[str, Any]:
        desc: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.size,
        }
        if self.spec.urls:
            desc["urls"] = list(self.spec.urls)
        return desc


@dataclass(frozen=True)
class Manifested:
    """Anything stored as a manifest-like blob: an image, an index, an artifact."""

    data: bytes
    media_type: str
    platform: str | None
    blobs: Mapping[str, bytes]
    """Every blob this value needs, by digest, itself included."""
    annotations: Mapping[str, str]

    @property
    def digest(self) -> str:
        return sha256(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The descriptor that points at this value, with its platform when it has one."""
        desc: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.size,
        }
        if self.platform is not None:
            desc["platform"] = platform_object(self.platform)
        merged = {**self.annotations, **(annotations or {})}
        if merged:
            desc["annotations"] = merged
        return desc


@dataclass(frozen=True)
class BuiltImage(Manifested):
    """One single-platform image."""

    spec: ImageSpec
    config: bytes
    layers: tuple[BuiltLayer, ...]

    @property
    def config_digest(self) -> str:
        return sha256(self.config)

    @property
    def config_json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.config)
        return parsed


@dataclass(frozen=True)
class BuiltIndex(Manifested):
    """An OCI image index or a docker manifest list."""

    children: tuple[Manifested, ...]


def platform_object(text: str) -> dict[str, str]:
    """`os/arch[/variant]` as an OCI platform object."""
    parts = text.split("/")
    obj = {"os": parts[0], "architecture": parts[1]}
    if len(parts) > 2:
        obj["variant"] = parts[2]
    return obj


def build_layer(spec: LayerSpec, flavour: Flavour = "oci") -> BuiltLayer:
    """A layer's tar and its stored (maybe compressed) blob."""
    tar = tar_bytes(spec.entries, tar_format=spec.tar_format)
    blob = compress(tar, spec.compression)
    media_type = _LAYER_TYPES[(flavour, spec.compression, spec.foreign)]
    return BuiltLayer(spec, tar, blob, media_type, sha256(blob), sha256(tar))


def build_config(spec: ImageSpec, layers: Sequence[BuiltLayer]) -> bytes:
    """The image config JSON (OCI image spec config.md; docker's extra keys included)."""
    plat = platform_object(spec.platform)
    cfg: dict[str, Any] = {"Env": list(spec.config.env)}
    if spec.config.entrypoint is not None:
        cfg["Entrypoint"] = list(spec.config.entrypoint)
    if spec.config.cmd is not None:
        cfg["Cmd"] = list(spec.config.cmd)
    if spec.config.user is not None:
        cfg["User"] = spec.config.user
    if spec.config.workdir is not None:
        cfg["WorkingDir"] = spec.config.workdir
    if spec.config.labels:
        cfg["Labels"] = dict(spec.config.labels)
    if spec.config.exposed_ports:
        cfg["ExposedPorts"] = {port: {} for port in spec.config.exposed_ports}
    if spec.config.volumes:
        cfg["Volumes"] = {volume: {} for volume in spec.config.volumes}
    if spec.config.stop_signal is not None:
        cfg["StopSignal"] = spec.config.stop_signal
    if spec.config.healthcheck is not None:
        cfg["Healthcheck"] = {"Test": list(spec.config.healthcheck), "Interval": 30_000_000_000}
    history: list[dict[str, Any]] = []
    for step in spec.steps:
        entry: dict[str, Any] = {"created": spec.created, "created_by": step.created_by}
        if isinstance(step, EmptyStep):
            entry["empty_layer"] = True
        history.append(entry)
    doc: dict[str, Any] = {
        "architecture": plat["architecture"],
        "os": plat["os"],
        "created": spec.created,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
        "history": history,
    }
    if "variant" in plat:
        doc["variant"] = plat["variant"]
    if spec.author is not None:
        doc["author"] = spec.author
    return canonical_json(doc)


def build_image(spec: ImageSpec) -> BuiltImage:
    """An image's layers, config and manifest, with every blob it needs."""
    layers = tuple(build_layer(layer, spec.flavour) for layer in spec.layers)
    config = build_config(spec, layers)
    oci = spec.flavour == "oci"
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST if oci else DOCKER_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG if oci else DOCKER_CONFIG,
            "digest": sha256(config),
            "size": len(config),
        },
        "layers": [layer.descriptor() for layer in layers],
    }
    if spec.annotations:
        manifest["annotations"] = dict(spec.annotations)
    data = canonical_json(manifest)
    blobs = {sha256(config): config, sha256(data): data}
    for layer in layers:
        if not layer.spec.foreign:
            blobs[layer.digest] = layer.blob
    return BuiltImage(
        data=data,
        media_type=manifest["mediaType"],
        platform=spec.platform,
        blobs=blobs,
        annotations={},
        spec=spec,
        config=config,
        layers=layers,
    )


def build_attestation(image: BuiltImage) -> Manifested:
    """A BuildKit attestation manifest for `image` (platform unknown/unknown).

    BuildKit puts these next to the images in an index, marked with the
    `vnd.docker.reference.type: attestation-manifest` annotation.
    """
    statement = canonical_json(
        {
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://spdx.dev/Document",
            "subject": [{"name": "image", "digest": {"sha256": image.digest[7:]}}],
            "predicate": {},
        }
    )
    config = canonical_json(
        {
            "architecture": "unknown",
            "os": "unknown",
            "rootfs": {"type": "layers", "diff_ids": [sha256(statement)]},
        }
    )
    manifest = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
            "layers": [
                {
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": sha256(statement),
                    "size": len(statement),
                    "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"},
                }
            ],
        }
    )
    return Manifested(
        data=manifest,
        media_type=OCI_MANIFEST,
        platform="unknown/unknown",
        blobs={sha256(config): config, sha256(statement): statement, sha256(manifest): manifest},
        annotations={
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": image.digest,
        },
    )


def build_index(
    children: Sequence[Manifested],
    *,
    flavour: Flavour = "oci",
    attestations: bool = False,
) -> BuiltIndex:
    """An OCI image index (or a docker manifest list) over `children`.

    With `attestations`, each image child gets a BuildKit attestation manifest
    entry after it.
    """
    entries: list[Manifested] = []
    for child in children:
        entries.append(child)
        if attestations and isinstance(child, BuiltImage):
            entries.append(build_attestation(child))
    media_type = OCI_INDEX if flavour == "oci" else DOCKER_LIST
    data = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": [entry.descriptor() for entry in entries],
        }
    )
    blobs: dict[str, bytes] = {}
    for entry in entries:
        blobs.update(entry.blobs)
    blobs[sha256(data)] = data
    return BuiltIndex(
        data=data,
        media_type=media_type,
        platform=None,
        blobs=blobs,
        annotations={},
        children=tuple(entries),
    )


# ---------------------------------------------------------------- containers


@dataclass(frozen=True)
class Member:
    """One member of a container tar (directories are written as needed)."""

    name: str
    data: bytes = b""
    symlink: str | None = None


def write_tar(path: Path, members: Iterable[Member | Entry]) -> Path:
    """A deterministic outer tar of `members` (creating parent directory entries)."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for member in members:
        if not isinstance(member, Member):
            entries.append(member)
            continue
        parts = member.name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = "/".join(parts[:depth])
            if directory not in seen:
                seen.add(directory)
                entries.append(Dir(directory))
        if member.symlink is not None:
            entries.append(Symlink(member.name, member.symlink))
        else:
            entries.append(File(member.name, member.data))
    path.write_bytes(tar_bytes(entries))
    return path


def oci_layout_members(
    entries: Sequence[tuple[Manifested, str | None]],
    *,
    extra_annotations: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Member]:
    """Members of an OCI image layout holding `entries` (value, ref name or None).

    `extra_annotations` maps a ref name to more annotations for its index.json entry.
    """
    descriptors = []
    blobs: dict[str, bytes] = {}
    for value, ref in entries:
        annotations = {"org.opencontainers.image.ref.name": ref} if ref is not None else {}
        annotations.update((extra_annotations or {}).get(ref or "", {}))
        descriptors.append(value.descriptor(annotations))
        blobs.update(value.blobs)
    index = canonical_json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors})
    members = [
        Member("oci-layout", canonical_json({"imageLayoutVersion": "1.0.0"})),
        Member("index.json", index),
    ]
    for digest in sorted(blobs):
        algorithm, hex_ = digest.split(":")
        members.append(Member(f"blobs/{algorithm}/{hex_}", blobs[digest]))
    return members


def write_members(root: Path, members: Iterable[Member]) -> Path:
    """Writes members as files under directory `root`."""
    for member in members:
        target = root / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if member.symlink is not None:
            target.symlink_to(member.symlink)
        else:
            target.write_bytes(member.data)
    return root


def write_oci_layout(root: Path, entries: Sequence[tuple[Manifested, str | None]]) -> Path:
    """An OCI image layout directory (image-layout.md) holding `entries`."""
    root.mkdir(parents=True, exist_ok=True)
    return write_members(root, oci_layout_members(entries))


def write_oci_archive(path: Path, entries: Sequence[tuple[Manifested, str | None]]) -> Path:
    """An oci-archive: a tar of an OCI image layout, as skopeo and buildah write it."""
    return write_tar(path, oci_layout_members(entries))


def _legacy_layer_ids(image: BuiltImage) -> list[str]:
    """Docker's v1 layer ids: a chain over the parent id and the layer's diff_id."""
    ids: list[str] = []
    parent = ""
    for layer in image.layers:
        parent = hashlib.sha256(f"{parent}\n{layer.diff_id}".encode()).hexdigest()
        ids.append(parent)
    return ids


def _repo_and_tag(tag: str) -> tuple[str, str]:
    repo, _, name = tag.rpartition(":")
    if "/" in name or not repo:
        return tag, "latest"
    return repo, name


def docker_archive_members(
    images: Sequence[tuple[BuiltImage, Sequence[str]]],
    *,
    layout: Literal["legacy", "oci"] = "legacy",
) -> list[Member]:
    """Members of a `docker save` tar holding `images`, each with its RepoTags.

    `legacy` is the layout of docker < 25 (`<id>/layer.tar`, `<config>.json`);
    `oci` is docker >= 25's, where the same manifest.json points into an
    embedded OCI image layout (`blobs/sha256/<hex>`). Legacy layer.tar members
    hold each layer's blob as stored (uncompressed unless the spec says otherwise).
    """
    members: dict[str, Member] = {}
    manifest: list[dict[str, Any]] = []
    repositories: dict[str, dict[str, str]] = {}
    for image, tags in images:
        entry: dict[str, Any] = {"RepoTags": list(tags) or None}
        layer_sources: dict[str, Any] = {}
        if layout == "legacy":
            ids = _legacy_layer_ids(image)
            config_name = f"{image.config_digest[7:]}.json"
            members[config_name] = Member(config_name, image.config)
            paths = []
            for layer_id, parent_id, layer in zip(ids, ["", *ids], image.layers, strict=False):
                v1: dict[str, Any] = {"id": layer_id, "created": CREATED}
                if parent_id:
                    v1["parent"] = parent_id
                members[f"{layer_id}/VERSION"] = Member(f"{layer_id}/VERSION", b"1.0")
                members[f"{layer_id}/json"] = Member(f"{layer_id}/json", canonical_json(v1))
                if not layer.spec.foreign:
                    members[f"{layer_id}/layer.tar"] = Member(f"{layer_id}/layer.tar", layer.blob)
                paths.append(f"{layer_id}/layer.tar")
                if layer.spec.foreign:
                    layer_sources[layer.diff_id] = layer.descriptor()
            entry["Config"] = config_name
            entry["Layers"] = paths
            top = ids[-1] if ids else ""
        else:
            for digest, data in image.blobs.items():
                name = f"blobs/sha256/{digest[7:]}"
                members[name] = Member(name, data)
            entry["Config"] = f"blobs/sha256/{image.config_digest[7:]}"
            entry["Layers"] = [f"blobs/sha256/{layer.digest[7:]}" for layer in image.layers]
            for layer in image.layers:
                if layer.spec.foreign:
                    layer_sources[layer.digest] = layer.descriptor()
            top = image.layers[-1].diff_id[7:] if image.layers else ""
        if layer_sources:
            entry["LayerSources"] = layer_sources
        manifest.append(entry)
        for tag in tags:
            repo, name = _repo_and_tag(tag)
            repositories.setdefault(repo, {})[name] = top
    out = list(members.values())
    if layout == "oci":
        # docker >= 25 also lists each tag in index.json, as containerd names it.
        refs: list[tuple[Manifested, str | None]] = []
        annotations: dict[str, dict[str, str]] = {}
        for image, tags in images:
            if not tags:
                refs.append((image, None))
            for tag in tags:
                refs.append((image, _repo_and_tag(tag)[1]))
                annotations[_repo_and_tag(tag)[1]] = {"io.containerd.image.name": tag}
        layout_members = oci_layout_members(refs, extra_annotations=annotations)
        out = [m for m in layout_members if m.name not in members] + out
    out.append(Member("manifest.json", canonical_json(manifest)))
    if repositories:
        out.append(Member("repositories", canonical_json(repositories)))
    return out


def write_docker_archive(
    path: Path,
    images: Sequence[tuple[BuiltImage, Sequence[str]]],
    *,
    layout: Literal["legacy", "oci"] = "legacy",
) -> Path:
    """A `docker save` tar of `images` (see `docker_archive_members`)."""
    return write_tar(path, docker_archive_members(images, layout=layout))


def write_lying_tar(path: Path, name: str, header_size: int, content: bytes) -> Path:
    """A one-member tar whose header claims `header_size` bytes but holds `content`."""
    info = _info(name, tarfile.REGTYPE, 0o644)
    info.size = header_size
    header = info.tobuf(tarfile.USTAR_FORMAT)
    padded = content + b"\0" * (-len(content) % 512)
    path.write_bytes(header + padded)
    return path


def simple_image(
    *,
    platform: str = "linux/amd64",
    compression: Compression = "gzip",
    flavour: Flavour = "oci",
    marker: str = "",
) -> BuiltImage:
    """A small two-layer image with a whiteout, a symlink and config; `marker` makes it unique."""
    return build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir("etc"),
                        File("etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
                        File("etc/marker", f"{platform} {marker}".encode()),
                        Dir("bin"),
                        File("bin/sh", b"\x7fELF", mode=0o755),
                        Symlink("bin/bash", "sh"),
                        Dir("tmp", mode=0o1777),
                        File("tmp/scratch", b"gone soon"),
                    ],
                    created_by="ADD rootfs.tar /",
                    compression=compression,
                ),
                EmptyStep("ENV APP_TOKEN=not-a-secret"),
                LayerSpec(
                    [
                        Whiteout("tmp/scratch"),
                        Dir("app"),
                        File("app/run", b"#!/bin/sh\n", mode=0o755),
                    ],
                    created_by="COPY run /app/run",
                    compression=compression,
                ),
                EmptyStep('CMD ["/app/run"]'),
            ],
            config=ConfigSpec(
                entrypoint=["/bin/sh", "-c"],
                cmd=["/app/run"],
                user="1000:1000",
                env=["PATH=/usr/bin:/bin", "APP_TOKEN=not-a-secret"],
                labels={"org.opencontainers.image.title": "simple"},
                exposed_ports=["8080/tcp"],
                workdir="/app",
                healthcheck=["CMD", "/app/run", "--health"],
            ),
            platform=platform,
            flavour=flavour,
        )
    )
