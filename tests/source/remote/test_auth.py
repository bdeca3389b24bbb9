"""Parsing `WWW-Authenticate` challenges (RFC 7235) as registries send them."""

import pytest

from seawall.source.remote.auth import Challenge, parse_challenges


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [
                'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                'scope="repository:library/alpine:pull"'
            ],
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:library/alpine:pull",
                    },
                )
            ],
        ),
        (['Basic realm="Registry Realm"'], [Challenge("basic", {"realm": "Registry Realm"})]),
        (
            ['Basic realm="a", Bearer realm="https://t/x", service=reg'],
            [
                Challenge("basic", {"realm": "a"}),
                Challenge("bearer", {"realm": "https://t/x", "service": "reg"}),
            ],
        ),
        (
            ['BEARER Realm = "https://t/\\"q\\"" , error="insufficient_scope"', "Negotiate"],
            [
                Challenge("bearer", {"realm": 'https://t/"q"', "error": "insufficient_scope"}),
                Challenge("negotiate"),
            ],
        ),
        (['Bearer realm="unterminated'], [Challenge("bearer", {"realm": "unterminated"})]),
        ([""], []),
        ([",,,"], []),
    ],
)
def test_parse_challenges(values: list[str], expected: list[Challenge]) -> None:
    assert parse_challenges(values) == expected
