"""Image checks (SW-IMG-*): over the image config, its history, its inventory and file metadata.

Inputs come from the pipeline: an `Image` (config, history, layers), the
`Inventory` the catalogers built (distro, packages) and the `FileEvidence`
gathered from the squashed view. Nothing here opens a layer.

Targets name what was read: `image config`, `image history` or `image
filesystem`; fingerprints add the subject (a port, an env name, a path).

Env values are never read beyond "empty or not, a reference or not": the
secret-in-env check judges names (`secretnames`), and the secret engine,
fed by the pipeline, judges contents.

The base image reference comes from the image's labels
(`org.opencontainers.image.base.name` / `.base.digest`, OCI image spec
annotations.md, which BuildKit and many build tools also write as labels);
manifest annotations are not part of the `Image` model yet.
"""

import datetime
import re

from seawall.analyze.misconfig.catalogue import make_finding
from seawall.analyze.misconfig.eol import end_of_life
from seawall.analyze.misconfig.files import FileEvidence, Tally
from seawall.analyze.misconfig.history import Step, own_layer_start, steps
from seawall.analyze.misconfig.runline import index_update_alone
from seawall.analyze.misconfig.secretnames import is_reference, is_secret_name, redact_url
from seawall.analyze.misconfig.shell import fetch_piped_to_shell
from seawall.model.files import FileInfo
from seawall.model.finding import MisconfigFinding
from seawall.model.image import Image
from seawall.model.package import Inventory

CONFIG = "image config"
HISTORY = "image history"
FILESYSTEM = "image filesystem"

BASE_NAME = "org.opencontainers.image.base.name"
BASE_DIGEST = "org.opencontainers.image.base.digest"
REQUIRED_LABELS = (
    ("SW-IMG-018", "org.opencontainers.image.source"),
    ("SW-IMG-019", "org.opencontainers.image.revision"),
    ("SW-IMG-020", "org.opencontainers.image.licenses"),
)
_ROOT = frozenset({"", "root", "0"})
_REMOTE_ADD = re.compile(r"^ADD\s+(?:--\S+\s+)*((?:https?|git)://\S+)")
_SHELLS = frozenset({"/bin/sh", "/bin/bash", "sh", "bash", "/bin/ash", "/bin/dash"})


def analyze_image(
    image: Image,
    inventory: Inventory,
    files: FileEvidence | None,
    *,
    today: datetime.date,
    base_layers: int | None = None,
) -> tuple[MisconfigFinding, ...]:
    """Every SW-IMG check. `files` None skips the filesystem checks (no walk was made).

    `base_layers` overrides the own-layers rule (`history.own_layer_start`):
    layers with a lower index belong to the base image.
    """
    findings: list[MisconfigFinding] = []
    findings += _config_checks(image)
    findings += _history_checks(image)
    findings += _label_checks(image)
    findings += _inventory_checks(inventory, files, today)
    if files is not None:
        start = own_layer_start(image) if base_layers is None else base_layers
        findings += _file_checks(files, start)
    return tuple(findings)


def _config_checks(image: Image) -> list[MisconfigFinding]:
    config = image.config
    out: list[MisconfigFinding] = []
    user = (config.user or "").split(":")[0].strip()
    if user in _ROOT:
        message = "no USER is set: runs as root" if not user else f"USER {config.user} is root"
        out.append(make_finding("SW-IMG-001", message, target=CONFIG, subject="user"))
    if not config.healthcheck or config.healthcheck[0].upper() == "NONE":
        out.append(
            make_finding(
                "SW-IMG-002", "the config sets no healthcheck", target=CONFIG, subject="healthcheck"
            )
        )
    for port_spec in config.exposed_ports:
        port_text = port_spec.split("/")[0]
        if not port_text.isdigit():
            continue
        port = int(port_text)
        if port == 22:
            out.append(
                make_finding("SW-IMG-003", f"exposes {port_spec}", target=CONFIG, subject=port_spec)
            )
        elif port < 1024:
            out.append(
                make_finding(
                    "SW-IMG-017",
                    f"exposes {port_spec}, a privileged port",
                    target=CONFIG,
                    subject=port_spec,
                )
            )
    for index, (name, value) in enumerate(config.env):
        if is_secret_name(name) and value.strip() and not is_reference(value):
            out.append(
                make_finding(
                    "SW-IMG-012",
                    f"Env[{index}] {name} holds a value ({len(value)} characters) and its name "
                    "says it is a credential",
                    target=CONFIG,
                    subject=name,
                )
            )
    pid1 = config.entrypoint or config.cmd
    if pid1 and len(pid1) >= 2 and pid1[0] in _SHELLS and pid1[1] == "-c":
        field_name = "Entrypoint" if config.entrypoint else "Cmd"
        out.append(
            make_finding(
                "SW-IMG-022",
                f"{field_name} starts {pid1[0]} -c (shell form)",
                target=CONFIG,
                subject=field_name,
            )
        )
    return out


def _history_checks(image: Image) -> list[MisconfigFinding]:
    out: list[MisconfigFinding] = []
    for step in steps(image):
        out += _step_checks(step)
    return out


def _step_checks(step: Step) -> list[MisconfigFinding]:
    out: list[MisconfigFinding] = []
    where = f"history[{step.index}]" + (f" (layer {step.layer})" if step.layer is not None else "")
    subject = f"history{step.index}"
    remote = _REMOTE_ADD.match(step.instruction)
    if remote and "--checksum" not in step.instruction:
        out.append(
            make_finding(
                "SW-IMG-015",
                f"{where}: ADD {redact_url(remote.group(1))} without a checksum",
                target=HISTORY,
                subject=subject,
                layer=step.layer,
            )
        )
    command = step.run_command
    if command is None:
        return out
    piped = fetch_piped_to_shell(command)
    if piped:
        out.append(
            make_finding(
                "SW-IMG-016",
                f"{where}: `{piped}` runs a download unverified",
                target=HISTORY,
                subject=subject,
                layer=step.layer,
            )
        )
    update = index_update_alone(command)
    if update and step.layer is not None:
        out.append(
            make_finding(
                "SW-IMG-023",
                f"{where}: `{update}` alone in its layer",
                target=HISTORY,
                subject=subject,
                layer=step.layer,
            )
        )
    return out


def _label_checks(image: Image) -> list[MisconfigFinding]:
    labels = dict(image.config.labels)
    out: list[MisconfigFinding] = []
    base = labels.get(BASE_NAME, "").strip()
    if base:
        name, _, digest = base.partition("@")
        last = name.rsplit("/", 1)[-1]
        tag = last.rsplit(":", 1)[1] if ":" in last else None
        if not digest and (tag is None or tag == "latest"):
            out.append(
                make_finding(
                    "SW-IMG-013",
                    f"built FROM {base} (label {BASE_NAME})",
                    target=CONFIG,
                    subject=BASE_NAME,
                )
            )
        if not digest and not labels.get(BASE_DIGEST, "").strip():
            out.append(
                make_finding(
                    "SW-IMG-014",
                    f"{BASE_NAME} is {base} but {BASE_DIGEST} is not set",
                    target=CONFIG,
                    subject=BASE_DIGEST,
                )
            )
    for check_id, label in REQUIRED_LABELS:
        if not labels.get(label, "").strip():
            out.append(
                make_finding(check_id, f"label {label} is not set", target=CONFIG, subject=label)
            )
    return out


def _inventory_checks(
    inventory: Inventory, files: FileEvidence | None, today: datetime.date
) -> list[MisconfigFinding]:
    out: list[MisconfigFinding] = []
    distro = inventory.distro
    if distro is not None:
        known = end_of_life(distro)
        if known is not None and known[0] < today:
            eol, source = known
            name = distro.pretty_name or f"{distro.id} {distro.version_id}"
            out.append(
                make_finding(
                    "SW-IMG-021",
                    f"{name} reached end of life on {eol.isoformat()} (source: {source})",
                    target=FILESYSTEM,
                    subject=f"{distro.id}:{distro.version_id}",
                )
            )
    sudo_packages = [p for p in inventory.packages if p.name in ("sudo", "sudo-ldap", "sudo-rs")]
    sudo_files = files.sudo if files is not None else []
    if sudo_packages or sudo_files:
        if sudo_packages:
            package = sudo_packages[0]
            layer = package.locations[0].layer if package.locations else None
            what = f"package {package.name} {package.version}"
        else:
            layer = sudo_files[0].layer
            what = sudo_files[0].path
        out.append(
            make_finding(
                "SW-IMG-005", f"{what} is installed", target=FILESYSTEM, subject="sudo", layer=layer
            )
        )
    return out


def _file_checks(files: FileEvidence, own_start: int) -> list[MisconfigFinding]:
    out: list[MisconfigFinding] = []
    for info in files.sshd[:1]:
        out.append(
            make_finding(
                "SW-IMG-004",
                f"{info.path} is present",
                target=FILESYSTEM,
                subject="sshd",
                path=info.path,
                layer=info.layer,
            )
        )
    for check_id, kept, bit in (
        ("SW-IMG-006", files.setuid, "setuid"),
        ("SW-IMG-007", files.setgid, "setgid"),
    ):
        for info in kept:
            if info.layer is not None and info.layer < own_start:
                continue
            out.append(_path_finding(check_id, info, f"{info.path} is {bit} ({_mode(info)})"))
    for info in files.writable_dirs:
        out.append(
            _path_finding(
                "SW-IMG-008", info, f"{info.path} is world-writable without sticky ({_mode(info)})"
            )
        )
    for info in files.writable_files:
        out.append(_path_finding("SW-IMG-009", info, f"{info.path} is world-writable"))
    if files.apt_lists.count:
        out.append(_tally_finding("SW-IMG-010", "/var/lib/apt/lists", files.apt_lists))
    for name in sorted(files.caches):
        out.append(_tally_finding("SW-IMG-011", name, files.caches[name]))
    return out


def _mode(info: FileInfo) -> str:
    return f"mode {info.mode:04o}, uid {info.uid}"


def _path_finding(check_id: str, info: FileInfo, message: str) -> MisconfigFinding:
    where = f" (layer {info.layer})" if info.layer is not None else ""
    return make_finding(
        check_id,
        message + where,
        target=FILESYSTEM,
        subject=info.path,
        path=info.path,
        layer=info.layer,
    )


def _tally_finding(check_id: str, name: str, tally: Tally) -> MisconfigFinding:
    layers = ", ".join(str(layer) for layer in sorted(tally.layers)) or "?"
    top = max(tally.layers) if tally.layers else None
    return make_finding(
        check_id,
        f"{name}: {tally.count} files, {tally.bytes} bytes left in layer(s) {layers}",
        target=FILESYSTEM,
        subject=name,
        path=tally.examples[0].path if tally.examples else None,
        layer=top,
    )
