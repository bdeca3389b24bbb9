"""Kubernetes checks (SW-K8S-*): Pod Security Standards baseline and restricted, and hygiene.

The PSS rules follow the published profiles
(https://kubernetes.io/docs/concepts/security/pod-security-standards/):
allowed capability sets, safe sysctls, volume types, SELinux types and
seccomp/AppArmor values are the profiles' own lists. A container-level
securityContext field overrides the pod-level one, as the kubelet applies them.

A finding's target is the object (`Deployment/web`, namespaced when the
manifest says so), its path the file, its line the line of the offending field
(or of the nearest enclosing one that is written).
"""

from collections.abc import Iterable
from typing import Any, Protocol

from seawall.analyze.misconfig.catalogue import make_finding
from seawall.analyze.misconfig.kubernetes.loader import Document, Path
from seawall.analyze.misconfig.kubernetes.workloads import (
    Container,
    Workload,
    as_dict,
    as_list,
    containers,
    workloads,
)
from seawall.analyze.misconfig.secretnames import is_reference, is_secret_name
from seawall.model.finding import MisconfigFinding

BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
RESTRICTED_VOLUMES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
RUNTIME_SOCKETS = frozenset(
    {
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run/containerd/containerd.sock",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock",
        "/var/run",
        "/run",
    }
)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


class _Add(Protocol):
    """Records one finding for the current container."""

    def __call__(self, check_id: str, where: Path, message: str, detail: str = "") -> None: ...


class _Out:
    """Findings of one file, with lines looked up in the document."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[MisconfigFinding] = []

    def add(
        self,
        check_id: str,
        workload: Workload,
        document: Document,
        where: Path,
        message: str,
        detail: str,
    ) -> None:
        target = workload.label
        if workload.namespace:
            target = f"{workload.namespace}/{target}"
        self.items.append(
            make_finding(
                check_id,
                message,
                target=target,
                subject=detail,
                path=self.path,
                line=document.line(where),
            )
        )


def kubernetes_findings(documents: Iterable[Document], path: str) -> tuple[MisconfigFinding, ...]:
    """Every SW-K8S check on the workloads of a file's documents."""
    out = _Out(path)
    for document in documents:
        for workload in workloads(document.value):
            _check_pod(workload, document, out)
            for container in containers(workload):
                _check_container(workload, container, document, out)
    return tuple(out.items)


def _check_pod(workload: Workload, document: Document, out: _Out) -> None:
    pod = workload.pod
    base = workload.pod_path
    for check_id, field in (
        ("SW-K8S-003", "hostNetwork"),
        ("SW-K8S-004", "hostPID"),
        ("SW-K8S-005", "hostIPC"),
    ):
        if pod.get(field) is True:
            out.add(check_id, workload, document, (*base, field), f"{field}: true", field)
    if pod.get("automountServiceAccountToken") is not False:
        out.add(
            "SW-K8S-024",
            workload,
            document,
            (*base, "automountServiceAccountToken"),
            "automountServiceAccountToken is not false",
            "automount",
        )
    for index, volume in enumerate(as_list(pod.get("volumes"))):
        _check_volume(workload, document, out, index, as_dict(volume))
    context = as_dict(pod.get("securityContext"))
    for index, sysctl in enumerate(as_list(context.get("sysctls"))):
        name = as_dict(sysctl).get("name")
        if isinstance(name, str) and name not in SAFE_SYSCTLS:
            where = (*base, "securityContext", "sysctls", index)
            out.add("SW-K8S-015", workload, document, where, f"sysctl {name}", name)


def _check_volume(
    workload: Workload, document: Document, out: _Out, index: int, volume: dict[str, Any]
) -> None:
    where = (*workload.pod_path, "volumes", index)
    name = str(volume.get("name", index))
    types = [key for key in volume if key != "name"]
    host_path = as_dict(volume.get("hostPath"))
    if "hostPath" in volume:
        mounted = str(host_path.get("path", "")).rstrip("/") or "/"
        if mounted in RUNTIME_SOCKETS:
            message = f"volume {name} mounts the runtime socket {mounted}"
            out.add("SW-K8S-026", workload, document, (*where, "hostPath"), message, name)
        else:
            message = f"volume {name} mounts host path {mounted}"
            out.add("SW-K8S-002", workload, document, (*where, "hostPath"), message, name)
        return
    for volume_type in types:
        if volume_type not in RESTRICTED_VOLUMES:
            message = f"volume {name} is of type {volume_type}"
            out.add("SW-K8S-018", workload, document, (*where, volume_type), message, name)


def _effective(workload: Workload, container: Container, field: str) -> tuple[object, Path]:
    """A securityContext field as the kubelet applies it: the container's, else the pod's."""
    own = as_dict(container.spec.get("securityContext"))
    if field in own:
        return own[field], (*container.path, "securityContext", field)
    pod = as_dict(workload.pod.get("securityContext"))
    if field in pod:
        return pod[field], (*workload.pod_path, "securityContext", field)
    return None, (*container.path, "securityContext")


def _check_container(
    workload: Workload, container: Container, document: Document, out: _Out
) -> None:
    spec = container.spec
    name = container.name
    context = as_dict(spec.get("securityContext"))
    context_path = (*container.path, "securityContext")

    def add(check_id: str, where: Path, message: str, detail: str = "") -> None:
        out.add(check_id, workload, document, where, f"container {name}: {message}", name + detail)

    if context.get("privileged") is True:
        add("SW-K8S-001", (*context_path, "privileged"), "privileged: true")
    _check_capabilities(as_dict(context.get("capabilities")), context_path, add)
    non_root, where = _effective(workload, container, "runAsNonRoot")
    if non_root is not True:
        add("SW-K8S-008", where, "runAsNonRoot is not true")
    user, where = _effective(workload, container, "runAsUser")
    if user == 0:
        add("SW-K8S-009", where, "runAsUser: 0")
    if context.get("allowPrivilegeEscalation") is not False:
        where = (*context_path, "allowPrivilegeEscalation")
        add("SW-K8S-010", where, "allowPrivilegeEscalation is not false")
    seccomp, where = _effective(workload, container, "seccompProfile")
    seccomp_type = as_dict(seccomp).get("type")
    if seccomp_type not in ("RuntimeDefault", "Localhost"):
        state = "Unconfined" if seccomp_type == "Unconfined" else "not set"
        add("SW-K8S-011", where, f"seccompProfile is {state}")
    ephemeral = container.list_name == "ephemeralContainers"
    if not ephemeral and context.get("readOnlyRootFilesystem") is not True:
        add("SW-K8S-012", (*context_path, "readOnlyRootFilesystem"), "root filesystem is writable")
    for index, port in enumerate(as_list(spec.get("ports"))):
        host_port = as_dict(port).get("hostPort")
        if isinstance(host_port, int) and host_port != 0:
            where = (*container.path, "ports", index, "hostPort")
            add("SW-K8S-013", where, f"hostPort {host_port}", f":{host_port}")
    proc_mount = context.get("procMount")
    if proc_mount not in (None, "Default"):
        add("SW-K8S-014", (*context_path, "procMount"), f"procMount {proc_mount}")
    _check_apparmor(workload, container, add)
    _check_selinux(workload, container, add)
    windows, where = _effective(workload, container, "windowsOptions")
    if as_dict(windows).get("hostProcess") is True:
        add("SW-K8S-025", where, "windowsOptions.hostProcess: true")
    if not ephemeral:
        _check_resources(container, add)
    _check_image(container, add)
    _check_env(container, add)


def _check_capabilities(capabilities: dict[str, Any], context_path: Path, add: _Add) -> None:
    added = [str(c).upper().removeprefix("CAP_") for c in as_list(capabilities.get("add"))]
    dropped = [str(c).upper() for c in as_list(capabilities.get("drop"))]
    beyond = sorted(set(added) - BASELINE_CAPABILITIES)
    where = (*context_path, "capabilities")
    if beyond:
        add("SW-K8S-006", (*where, "add"), f"adds {', '.join(beyond)}")
    extra = sorted(set(added) - {"NET_BIND_SERVICE"})
    if "ALL" not in dropped or extra:
        reason = "does not drop ALL" if "ALL" not in dropped else f"adds {', '.join(extra)}"
        add("SW-K8S-007", (*where, "drop") if "ALL" not in dropped else (*where, "add"), reason)


def _check_apparmor(workload: Workload, container: Container, add: _Add) -> None:
    annotations = as_dict(workload.metadata.get("annotations"))
    annotated = annotations.get(APPARMOR_ANNOTATION + container.name)
    profile, where = _effective(workload, container, "appArmorProfile")
    if annotated == "unconfined":
        add("SW-K8S-016", where, "AppArmor annotation is unconfined")
    elif as_dict(profile).get("type") == "Unconfined":
        add("SW-K8S-016", where, "appArmorProfile is Unconfined")


def _check_selinux(workload: Workload, container: Container, add: _Add) -> None:
    options, where = _effective(workload, container, "seLinuxOptions")
    selinux = as_dict(options)
    custom = [key for key in ("user", "role") if selinux.get(key)]
    selinux_type = selinux.get("type") or ""
    if selinux_type not in SELINUX_TYPES:
        custom.append(f"type {selinux_type}")
    if custom:
        add("SW-K8S-017", where, f"seLinuxOptions sets {', '.join(custom)}")


def _check_resources(container: Container, add: _Add) -> None:
    resources = as_dict(container.spec.get("resources"))
    where = (*container.path, "resources")
    for check_id, section in (("SW-K8S-019", "limits"), ("SW-K8S-020", "requests")):
        values = as_dict(resources.get(section))
        missing = [r for r in ("cpu", "memory") if r not in values]
        if missing:
            add(check_id, (*where, section), f"no {section} for {' and '.join(missing)}")


def _check_image(container: Container, add: _Add) -> None:
    image = container.spec.get("image")
    if not isinstance(image, str) or not image:
        return
    where = (*container.path, "image")
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else None
    if digest:
        return
    if tag is None or tag == "latest":
        add("SW-K8S-021", where, f"image {image} follows the latest tag")
    add("SW-K8S-022", where, f"image {image} is not pinned by digest")


def _check_env(container: Container, add: _Add) -> None:
    for index, variable in enumerate(as_list(container.spec.get("env"))):
        entry = as_dict(variable)
        name = entry.get("name")
        value = entry.get("value")
        if not isinstance(name, str) or not is_secret_name(name):
            continue
        if isinstance(value, str | int | float) and str(value).strip():
            if isinstance(value, str) and is_reference(value):
                continue
            where = (*container.path, "env", index, "value")
            add("SW-K8S-023", where, f"env {name} is a literal value", f":{name}")
