"""Kubernetes manifest checks: multi-document YAML in, SW-K8S findings with lines out."""

from seawall.analyze.misconfig.kubernetes.checks import kubernetes_findings
from seawall.analyze.misconfig.kubernetes.loader import Document, load_documents
from seawall.analyze.misconfig.kubernetes.workloads import POD_SPEC_PATHS
from seawall.analyze.misconfig.results import MAX_CONFIG_FILE_BYTES, ConfigResult
from seawall.model.files import Problem


def analyze_manifest(content: bytes, path: str) -> ConfigResult:
    """Every SW-K8S check on one YAML file's bytes. Never raises for bad content."""
    if len(content) > MAX_CONFIG_FILE_BYTES:
        problem = Problem(path, f"larger than {MAX_CONFIG_FILE_BYTES} bytes; not checked")
        return ConfigResult(path, "kubernetes", problems=(problem,))
    documents, problems = load_documents(content.decode("utf-8", errors="replace"), path)
    findings = kubernetes_findings(documents, path)
    return ConfigResult(path, "kubernetes", findings=findings, problems=tuple(problems))


__all__ = ["POD_SPEC_PATHS", "Document", "analyze_manifest", "load_documents"]
