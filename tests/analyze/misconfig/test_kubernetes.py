"""Kubernetes checks: each weakness planted in an otherwise clean manifest, the clean manifest
passing with zero findings, pod-spec extraction per kind, lines, and hostile YAML."""

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from seawall.analyze.misconfig import CheckKind, analyze_manifest, checks_of
from seawall.analyze.misconfig.kubernetes import POD_SPEC_PATHS

DIGEST = "sha256:" + "d" * 64


def clean_pod_spec() -> dict[str, Any]:
    """A pod spec meeting the restricted profile and every hygiene check."""
    return {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
            "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
            "seLinuxOptions": {"level": "s0:c123,c456", "type": "container_t"},
        },
        "volumes": [
            {"name": "tmp", "emptyDir": {}},
            {"name": "config", "configMap": {"name": "app"}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
        ],
        "initContainers": [container("init")],
        "containers": [container("app")],
    }


def container(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"registry.example.org/{name}:1.4.2@{DIGEST}",
        "ports": [{"containerPort": 8080}],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
            {"name": "PASSWORD_FILE", "value": "/run/secrets/db"},
        ],
        "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
            "appArmorProfile": {"type": "RuntimeDefault"},
        },
    }


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec},
        },
    }


Mutation = Callable[[dict[str, Any]], None]


def app(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["containers"][0]
    return result


def ctx(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = app(spec)["securityContext"]
    return result


def pod_ctx(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["securityContext"]
    return result


CASES: dict[str, Mutation] = {
    "SW-K8S-001": lambda s: ctx(s).update(privileged=True),
    "SW-K8S-002": lambda s: s["volumes"].append({"name": "h", "hostPath": {"path": "/etc"}}),
    "SW-K8S-003": lambda s: s.update(hostNetwork=True),
    "SW-K8S-004": lambda s: s.update(hostPID=True),
    "SW-K8S-005": lambda s: s.update(hostIPC=True),
    "SW-K8S-006": lambda s: ctx(s)["capabilities"].update(add=["SYS_ADMIN"]),
    "SW-K8S-007": lambda s: ctx(s)["capabilities"].update(drop=["NET_RAW"]),
    "SW-K8S-008": lambda s: pod_ctx(s).pop("runAsNonRoot"),
    "SW-K8S-009": lambda s: ctx(s).update(runAsUser=0),
    "SW-K8S-010": lambda s: ctx(s).pop("allowPrivilegeEscalation"),
    "SW-K8S-011": lambda s: ctx(s).update(seccompProfile={"type": "Unconfined"}),
    "SW-K8S-012": lambda s: ctx(s).update(readOnlyRootFilesystem=False),
    "SW-K8S-013": lambda s: app(s)["ports"][0].update(hostPort=8080),
    "SW-K8S-014": lambda s: ctx(s).update(procMount="Unmasked"),
    "SW-K8S-015": lambda s: pod_ctx(s)["sysctls"].append({"name": "kernel.msgmax", "value": "1"}),
    "SW-K8S-016": lambda s: ctx(s).update(appArmorProfile={"type": "Unconfined"}),
    "SW-K8S-017": lambda s: pod_ctx(s)["seLinuxOptions"].update(type="spc_t"),
    "SW-K8S-018": lambda s: s["volumes"].append({"name": "n", "nfs": {"server": "x", "path": "/"}}),
    "SW-K8S-019": lambda s: app(s)["resources"].pop("limits"),
    "SW-K8S-020": lambda s: app(s)["resources"]["requests"].pop("memory"),
    "SW-K8S-021": lambda s: app(s).update(image="nginx"),
    "SW-K8S-022": lambda s: app(s).update(image="nginx:1.27.2"),
    "SW-K8S-023": lambda s: app(s)["env"].append({"name": "API_TOKEN", "value": "abc123"}),
    "SW-K8S-024": lambda s: s.pop("automountServiceAccountToken"),
    "SW-K8S-025": lambda s: ctx(s).update(windowsOptions={"hostProcess": True}),
    "SW-K8S-026": lambda s: s["volumes"].append(
        {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}
    ),
}


def findings_of(documents: list[dict[str, Any]]) -> set[str]:
    text = yaml.safe_dump_all(documents, sort_keys=False)
    result = analyze_manifest(text.encode(), "deploy.yaml")
    assert result.problems == ()
    return {finding.check_id for finding in result.findings}


def test_every_kubernetes_check_has_a_case() -> None:
    assert {check.id for check in checks_of(CheckKind.KUBERNETES)} == set(CASES)
    assert len(CASES) >= 20


def test_clean_manifest_has_no_findings() -> None:
    assert findings_of([deployment(clean_pod_spec())]) == set()


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_weakness_is_found(check_id: str) -> None:
    spec = clean_pod_spec()
    CASES[check_id](spec)
    assert check_id in findings_of([deployment(spec)])


def test_apparmor_annotation_is_read_from_the_pod_template() -> None:
    document = deployment(clean_pod_spec())
    annotations = {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
    document["spec"]["template"]["metadata"]["annotations"] = annotations
    assert findings_of([document]) == {"SW-K8S-016"}


def test_container_setting_overrides_the_pod_setting() -> None:
    spec = clean_pod_spec()
    pod_ctx(spec)["runAsNonRoot"] = False
    for item in spec["initContainers"] + spec["containers"]:
        item["securityContext"]["runAsNonRoot"] = True
    assert findings_of([deployment(spec)]) == set()


def wrap(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` placed where `kind` keeps its pod spec."""
    document: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}}
    node = document
    path = POD_SPEC_PATHS[kind]
    for key in path[:-1]:
        node = node.setdefault(str(key), {})
    node[str(path[-1])] = spec
    return document


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_pod_spec_is_found_for_every_kind(kind: str) -> None:
    spec = clean_pod_spec()
    assert findings_of([wrap(kind, copy.deepcopy(spec))]) == set()
    spec["hostPID"] = True
    assert findings_of([wrap(kind, spec)]) == {"SW-K8S-004"}


def test_list_items_and_other_objects_in_a_stream() -> None:
    spec = clean_pod_spec()
    spec["hostIPC"] = True
    documents: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}},
        {"apiVersion": "v1", "kind": "List", "items": [wrap("Pod", spec)]},
    ]
    assert findings_of(documents) == {"SW-K8S-005"}


def test_lines_point_at_the_offending_field_in_the_right_document() -> None:
    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: a
      image: busybox:1.36
      securityContext:
        privileged: true
"""
    result = analyze_manifest(text.encode(), "pod.yaml")
    by_id = {f.check_id: f for f in result.findings}
    assert by_id["SW-K8S-001"].line == 14
    assert by_id["SW-K8S-001"].target == "Pod/p" and by_id["SW-K8S-001"].path == "pod.yaml"
    assert by_id["SW-K8S-022"].line == 12
    assert by_id["SW-K8S-024"].line == 10  # not written: the pod spec's first line


def test_secret_literal_is_never_shown() -> None:
    spec = clean_pod_spec()
    app(spec)["env"].append({"name": "API_TOKEN", "value": "s3cr3t-value-xyz"})
    text = yaml.safe_dump(deployment(spec))
    result = analyze_manifest(text.encode(), "d.yaml")
    assert "s3cr3t" not in " ".join(f.message for f in result.findings)


def test_billion_laughs_stops_at_the_node_limit() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "apiVersion: v1\nkind: Pod\n" + "\n".join(lines) + "\n"
    result = analyze_manifest(text.encode(), "bomb.yaml")
    assert result.findings == ()
    assert "nodes" in str(result.problems[0])


def test_recursive_alias_stops_at_the_depth_limit() -> None:
    result = analyze_manifest(b"apiVersion: v1\nkind: Pod\nspec: &s {x: *s}\n", "r.yaml")
    assert any("deeper" in str(problem) for problem in result.problems)


def test_syntax_error_keeps_earlier_documents() -> None:
    spec = clean_pod_spec()
    spec["hostNetwork"] = True
    text = yaml.safe_dump(wrap("Pod", spec)) + "---\nkey: [unclosed\n"
    result = analyze_manifest(text.encode(), "broken.yaml")
    assert {f.check_id for f in result.findings} == {"SW-K8S-003"}
    assert "not valid YAML" in str(result.problems[0])
    assert "unclosed" not in str(result.problems[0])


def test_python_tags_construct_nothing() -> None:
    # A tagged scalar is refused by the safe constructor; a tagged collection is read as
    # plain data (its tag ignored): no object is ever built from a tag.
    scalar = b"apiVersion: v1\nkind: Pod\nspec: !!python/name:os.system ''\n"
    result = analyze_manifest(scalar, "evil.yaml")
    assert result.findings == () and "not valid YAML" in str(result.problems[0])
    collection = b"apiVersion: v1\nkind: Pod\nspec: !!python/object/apply:os.system [echo]\n"
    result = analyze_manifest(collection, "evil.yaml")
    assert result.findings == () and result.problems == ()


def test_non_mapping_documents_and_wrong_types_are_ignored() -> None:
    text = b"- a\n- b\n---\n42\n---\nkind: Pod\nspec: {containers: [1, {name: 3}]}\n"
    result = analyze_manifest(text, "odd.yaml")
    assert result.problems == ()
