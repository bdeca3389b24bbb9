"""`seawall scan` with every scanner and a policy: secrets, misconfigurations, ignores."""

import json
from pathlib import Path

import pytest

from tests.cli.test_scan import NGINX, OS_RELEASE, database  # noqa: F401 - the fixture
from tests.cli.test_scan import scan as json_scan
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    File,
    ImageSpec,
    LayerSpec,
    Whiteout,
    build_image,
    write_oci_layout,
)


def github_token() -> str:
    """A structurally valid GitHub token (base62 body + CRC32 checksum), built at test time."""
    import binascii
    import string

    alphabet = string.digits + string.ascii_letters
    body = "".join(alphabet[(i * 7 + 3) % 62] for i in range(30))
    crc = binascii.crc32(body.encode())
    digits = ""
    while crc:
        crc, rest = divmod(crc, 62)
        digits = alphabet[rest] + digits
    return "ghp_" + body + digits.rjust(6, "0")


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    token = github_token()
    image = build_image(
        ImageSpec(
            steps=[
                LayerSpec(
                    [
                        Dir("etc"),
                        File("etc/os-release", OS_RELEASE),
                        Dir("var/lib/dpkg"),
                        File("var/lib/dpkg/status", NGINX),
                        Dir("root"),
                        File("root/.git-credentials", f"https://ci:{token}@github.com\n".encode()),
                    ],
                    created_by="ADD rootfs.tar /",
                ),
                LayerSpec(
                    [Dir("root"), Whiteout("root/.git-credentials")],
                    created_by="RUN rm /root/.git-credentials",
                ),
            ],
            config=ConfigSpec(cmd=["nginx"], exposed_ports=["80/tcp"]),
        )
    )
    return write_oci_layout(tmp_path_factory.mktemp("image") / "layout", [(image, "v1")])


def scan(layout: Path, database: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:  # noqa: F811
    """`seawall scan … -f json` (the runner of test_scan), with the document decoded."""
    code, out, err = json_scan(layout, database, tmp_path, "-f", "json", *extra)
    return code, json.loads(out) if out.strip() else {}, err


def test_all_scanners_and_a_policy_that_fails_on_secrets(
    layout: Path,
    database: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nrules:\n  - name: no-secrets\n    secret: {}\n")

    code, document, err = scan(
        layout, database, tmp_path, "--scanners", "vuln,secret,misconfig", "--policy", str(policy)
    )

    assert code == 1, err
    [secret] = document["secrets"]
    assert secret["location"]["path"] == "/root/.git-credentials"
    assert secret["location"]["removed_in"] == 1  # deleted by layer 1, still extractable
    assert github_token() not in json.dumps(document)
    checks = {m["check_id"] for m in document["misconfigurations"]}
    assert checks, "a root user, no HEALTHCHECK … must be reported"
    assert any(v["id"] == "CVE-2023-44487" for v in document["vulnerabilities"])
    assert document["policy"]["verdict"] == "failed"


def test_an_ignore_with_an_owner_and_expiry_lets_it_pass(
    layout: Path,
    database: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\n"
        "rules:\n  - name: no-secrets\n    secret: {}\n"
        "ignores:\n"
        "  - path: /root/.git-credentials\n"
        "    reason: revoked token, image rebuilt without it in the next release\n"
        "    owner: platform@example.com\n"
        "    expires: 2099-01-01\n"
    )

    code, document, err = scan(
        layout, database, tmp_path, "--scanners", "secret", "--policy", str(policy)
    )

    assert code == 0, err
    assert document["policy"]["verdict"] == "passed"
    assert document["vulnerabilities"] == []


def test_unknown_scanner_is_an_input_error(
    layout: Path,
    database: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    code, _document, err = scan(layout, database, tmp_path, "--scanners", "vuln,viruses")
    assert code == 2
    assert "viruses" in err
