"""Finding the pod specs in Kubernetes objects: where each kind keeps its pod template.

Pod: `spec`. Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job: `spec.template.spec`. CronJob:
`spec.jobTemplate.spec.template.spec`. PodTemplate: `template.spec`.
A `List` (kind `List`, or any `…List`) holds objects under `items`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seawall.analyze.misconfig.kubernetes.loader import Path

POD_SPEC_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True, slots=True)
class Workload:
    """One object with a pod spec."""

    kind: str
    name: str
    namespace: str | None
    path: Path
    """Where the object sits in its document (non-empty inside a List)."""
    pod_path: Path
    pod: dict[str, Any]
    metadata: dict[str, Any]
    """The pod template's metadata (annotations carry AppArmor profiles)."""

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True, slots=True)
class Container:
    """One container of a pod spec, with where it sits."""

    list_name: str
    index: int
    path: Path
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        name = self.spec.get("name")
        return name if isinstance(name, str) else f"{self.list_name}[{self.index}]"


def _at(value: object, path: Path) -> object:
    for key in path:
        if isinstance(key, str) and isinstance(value, dict):
            value = value.get(key)
        elif isinstance(key, int) and isinstance(value, list) and key < len(value):
            value = value[key]
        else:
            return None
    return value


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def workloads(document: object, path: Path = (), depth: int = 0) -> Iterator[Workload]:
    """Every object with a pod spec in a document (Lists unpacked)."""
    obj = as_dict(document)
    kind = obj.get("kind")
    if not isinstance(kind, str):
        return
    if (kind == "List" or kind.endswith("List")) and depth < 4:
        for index, item in enumerate(as_list(obj.get("items"))):
            yield from workloads(item, (*path, "items", index), depth + 1)
        return
    relative = POD_SPEC_PATHS.get(kind)
    if relative is None:
        return
    pod = _at(obj, relative)
    if not isinstance(pod, dict):
        return
    metadata = as_dict(obj.get("metadata"))
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    template_metadata = as_dict(_at(obj, (*relative[:-1], "metadata"))) if kind != "Pod" else {}
    yield Workload(
        kind=kind,
        name=name if isinstance(name, str) else "<unnamed>",
        namespace=namespace if isinstance(namespace, str) else None,
        path=path,
        pod_path=(*path, *relative),
        pod=pod,
        metadata=metadata if kind == "Pod" else template_metadata,
    )


def containers(workload: Workload) -> Iterator[Container]:
    for list_name in CONTAINER_LISTS:
        for index, spec in enumerate(as_list(workload.pod.get(list_name))):
            if isinstance(spec, dict):
                yield Container(list_name, index, (*workload.pod_path, list_name, index), spec)
