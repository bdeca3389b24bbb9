"""Name normalisation per ecosystem, and Red Hat release prefixes."""

import pytest

from seawall.vulndb.names import normalize_name, prefix_matched


@pytest.mark.parametrize(
    ("ecosystem", "name", "expected"),
    [
        ("PyPI", "Foo.Bar_baz--Qux", "foo-bar-baz-qux"),
        ("crates.io", "Serde_JSON", "serde-json"),
        ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
        ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
        ("npm", "JSONStream", "JSONStream"),
        ("npm", "@Scope/pkg", "@Scope/pkg"),
        ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
        ("Maven", "org.Apache:Commons", "org.Apache:Commons"),
        ("RubyGems", "RedCloth", "RedCloth"),
        ("Debian:12", "libXML2", "libXML2"),
    ],
)
def test_normalize(ecosystem: str, name: str, expected: str) -> None:
    assert normalize_name(ecosystem, name) == expected


def test_only_red_hat_releases_are_prefixes() -> None:
    assert prefix_matched("Red Hat:enterprise_linux:9")
    assert not prefix_matched("Red Hat")
    assert not prefix_matched("Debian:12")
