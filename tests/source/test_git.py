"""Git history as blobs, and secrets found at the commit that first introduced them."""

import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.model.finding import SecretSource
from seawall.pipeline.secrets import secrets_in_git
from seawall.source.git import GitError, GitHistory
from tests.analyze.secrets.samples import github_token

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TOKEN = github_token("ghp")


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("hello\n")
    commit(path, "first")
    return path


def test_secret_committed_then_removed_is_found_at_its_first_commit(repo: Path) -> None:
    (repo / "deploy.sh").write_text(f"#!/bin/sh\nexport GH={TOKEN}\n")
    introduced = commit(repo, "add deploy")
    (repo / "deploy.sh").write_text(f"#!/bin/sh\necho more\nexport GH={TOKEN}\n")
    commit(repo, "edit deploy (same secret, new blob)")
    (repo / "deploy.sh").unlink()
    commit(repo, "remove the leak")
    git(repo, "checkout", "-q", "-b", "side", "HEAD~3")
    (repo / "side.env").write_text("PASSWORD=changeme\n")
    commit(repo, "side branch decoy")

    result = secrets_in_git(repo)
    assert [
        (f.rule_id, f.location.path, f.location.line, f.location.commit) for f in result.findings
    ] == [("github-pat", "deploy.sh", 2, introduced)]
    assert result.findings[0].location.source is SecretSource.GIT
    assert result.status.commits == 5
    assert TOKEN not in repr(result)


def test_blobs_once_oldest_first_with_size_limit(repo: Path) -> None:
    (repo / "big.txt").write_text("x" * 5000)
    (repo / "copy.md").write_text("hello\n")  # the same blob as README.md
    commit(repo, "second")
    blobs = list(GitHistory(repo).blobs(max_bytes=1000))
    assert [(b.path, b.size, c is None) for b, c in blobs] == [
        ("README.md", 6, False),
        ("big.txt", 5000, True),
    ]


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a readable git repository"):
        GitHistory(tmp_path)
