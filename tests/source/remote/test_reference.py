"""Image references: docker/distribution's normalisation and strict validation."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.source.remote.reference import InvalidReferenceError, parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "host", "api_host", "repository", "tag", "digest", "normalised"),
    [
        (
            "alpine",
            "docker.io",
            "registry-1.docker.io",
            "library/alpine",
            "latest",
            None,
            "docker.io/library/alpine:latest",
        ),
        (
            "alpine:3.20",
            "docker.io",
            "registry-1.docker.io",
            "library/alpine",
            "3.20",
            None,
            "docker.io/library/alpine:3.20",
        ),
        (
            "bitnami/redis",
            "docker.io",
            "registry-1.docker.io",
            "bitnami/redis",
            "latest",
            None,
            "docker.io/bitnami/redis:latest",
        ),
        (
            "docker.io/alpine",
            "docker.io",
            "registry-1.docker.io",
            "library/alpine",
            "latest",
            None,
            "docker.io/library/alpine:latest",
        ),
        (
            "index.docker.io/library/alpine",
            "docker.io",
            "registry-1.docker.io",
            "library/alpine",
            "latest",
            None,
            "docker.io/library/alpine:latest",
        ),
        (
            "localhost:5000/x",
            "localhost:5000",
            "localhost:5000",
            "x",
            "latest",
            None,
            "localhost:5000/x:latest",
        ),
        ("localhost/x:1", "localhost", "localhost", "x", "1", None, "localhost/x:1"),
        (
            "ghcr.io/org/team/app:v1.2-rc_3",
            "ghcr.io",
            "ghcr.io",
            "org/team/app",
            "v1.2-rc_3",
            None,
            "ghcr.io/org/team/app:v1.2-rc_3",
        ),
        ("Registry/app", "Registry", "Registry", "app", "latest", None, "Registry/app:latest"),
        (
            "[::1]:5000/app",
            "[::1]:5000",
            "[::1]:5000",
            "app",
            "latest",
            None,
            "[::1]:5000/app:latest",
        ),
        (
            f"alpine@{DIGEST}",
            "docker.io",
            "registry-1.docker.io",
            "library/alpine",
            None,
            DIGEST,
            f"docker.io/library/alpine@{DIGEST}",
        ),
        (
            f"r.example:443/a/b:t@{DIGEST}",
            "r.example:443",
            "r.example:443",
            "a/b",
            "t",
            DIGEST,
            f"r.example:443/a/b:t@{DIGEST}",
        ),
        (
            "a__b/c-d.e--f",
            "docker.io",
            "registry-1.docker.io",
            "a__b/c-d.e--f",
            "latest",
            None,
            "docker.io/a__b/c-d.e--f:latest",
        ),
    ],
)
def test_normalisation(
    text: str,
    host: str,
    api_host: str,
    repository: str,
    tag: str | None,
    digest: str | None,
    normalised: str,
) -> None:
    ref = parse_reference(text)
    assert (ref.host, ref.api_host, ref.repository, ref.tag, ref.digest) == (
        host,
        api_host,
        repository,
        tag,
        digest,
    )
    assert str(ref) == normalised
    assert ref.manifest_ref == (digest or tag)
    assert parse_reference(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("app/UPPER", "lowercase"),
        ("docker.io/Library/app", "lowercase"),
        ("app:", "tag ''"),
        ("app:-bad", "tag '-bad'"),
        ("app:" + "t" * 129, "at most 128"),
        ("app@sha256:abc", "not a digest"),
        ("app@md5:" + "0" * 32, "not supported"),
        ("app@sha256:" + "A" * 64, "lower-case"),
        ("app@sha256:" + "0" * 63, "64"),
        ("a//b", "component ''"),
        ("a/-b", "component '-b'"),
        ("a/b_", "component 'b_'"),
        ("-bad.host/app", "not a valid registry host"),
        ("host:port/app", "not a valid registry host"),
        ("app name", "whitespace"),
        ("app\x00", "control"),
        ("r.example/" + "a" * 300, "longer than 255"),
        ("a" * 5000, "too long"),
    ],
)
def test_invalid_references_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InvalidReferenceError) as raised:
        parse_reference(text)
    assert problem in str(raised.value)


# No dots: a first component with one would be read as a registry host (as docker does).
_COMPONENT = st.from_regex(r"[a-z0-9]{1,8}(?:(?:_|__|-+)[a-z0-9]{1,8}){0,2}", fullmatch=True)


@settings(max_examples=50)
@given(
    host=st.sampled_from(["", "localhost:5000/", "registry.example/", "10.0.0.1:443/"]),
    path=st.lists(_COMPONENT, min_size=1, max_size=4),
    tag=st.none() | st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True),
)
def test_normal_form_is_stable(host: str, path: list[str], tag: str | None) -> None:
    text = host + "/".join(path) + (f":{tag}" if tag else "")
    ref = parse_reference(text)
    assert parse_reference(str(ref)) == ref
    assert ref.tag == (tag or "latest")
    assert ref.repository.endswith("/".join(path))
