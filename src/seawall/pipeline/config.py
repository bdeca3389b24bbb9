"""`seawall config PATH`: find Dockerfiles and Kubernetes manifests under a path and check them.

A file given directly is checked whatever its name (a Dockerfile unless it
is YAML). Under a directory, files are chosen by name (`Dockerfile*`,
`*.Dockerfile`, `Containerfile*`) or by being YAML whose first bytes have
`apiVersion:` and `kind:` keys. The walk never follows a symlink (to a file
or a directory: nothing outside PATH is read), skips VCS and dependency
directories, and stops at `MAX_FILES` candidates and `Limits.max_path_depth`.
"""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from seawall.analyze.misconfig import (
    MAX_CONFIG_FILE_BYTES,
    ConfigResult,
    analyze_dockerfile,
    analyze_manifest,
    is_dockerfile_name,
    is_yaml_name,
    looks_like_manifest,
)
from seawall.errors import InputError
from seawall.limits import Limits
from seawall.model.files import Problem

MAX_FILES = 10_000
"""Configuration files checked under one path."""
MAX_ENTRIES = 1_000_000
"""Directory entries looked at under one path."""
_SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__"})
_HEAD_BYTES = 64 * 1024


def config_files(path: Path, limits: Limits | None = None) -> list[ConfigResult]:
    """Check every Dockerfile and Kubernetes manifest under `path` (or `path` itself)."""
    limits = limits or Limits()
    try:
        info = path.lstat()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    if stat.S_ISREG(info.st_mode):
        return [_check_file(path, str(path), explicit=True)]
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: not a regular file or a directory")
    results: list[ConfigResult] = []
    for file_path in _candidates(path, limits):
        relative = file_path.relative_to(path).as_posix()
        results.append(_check_file(file_path, relative, explicit=False))
        if len(results) > MAX_FILES:
            raise InputError(f"{path}: more than {MAX_FILES} configuration files; check a subtree")
    return [result for result in results if result.kind != "none"]


def _candidates(root: Path, limits: Limits) -> Iterator[Path]:
    """Regular files under `root` that may be configuration, in sorted order, links not followed."""
    seen = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            continue
        subdirectories: list[Path] = []
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                raise InputError(f"{root}: more than {MAX_ENTRIES} entries; check a subtree")
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIPPED_DIRECTORIES and depth < limits.max_path_depth:
                    subdirectories.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and (
                is_dockerfile_name(entry.name) or is_yaml_name(entry.name)
            ):
                yield Path(entry.path)
        stack.extend((sub, depth + 1) for sub in reversed(subdirectories))


def _read(path: Path, shown: str) -> bytes | Problem:
    try:
        with open(path, "rb") as stream:
            content = stream.read(MAX_CONFIG_FILE_BYTES + 1)
    except OSError as error:
        return Problem(shown, f"cannot be read ({error.strerror})")
    if len(content) > MAX_CONFIG_FILE_BYTES:
        return Problem(shown, f"larger than {MAX_CONFIG_FILE_BYTES} bytes; not checked")
    return content


def _check_file(path: Path, shown: str, *, explicit: bool) -> ConfigResult:
    yaml_file = is_yaml_name(path.name)
    content = _read(path, shown)
    kind = "kubernetes" if yaml_file else "dockerfile"
    if isinstance(content, Problem):
        return ConfigResult(shown, kind, problems=(content,))
    if yaml_file:
        if not explicit and not looks_like_manifest(content[:_HEAD_BYTES]):
            return ConfigResult(shown, "none")
        return analyze_manifest(content, shown)
    return analyze_dockerfile(content, shown)
