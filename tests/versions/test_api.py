"""The public API: ecosystem names, errors, keys and their cache, per-scheme rules worth pinning."""

import pytest

from seawall.errors import InputError
from seawall.model.package import Ecosystem
from seawall.versions import (
    MAX_VERSION_LENGTH,
    InvalidVersionError,
    UnsupportedEcosystemError,
    compare,
    key,
    sort_key,
)
from seawall.versions.registry import SCHEMES, scheme_for


@pytest.mark.parametrize(
    ("ecosystem", "scheme"),
    [
        ("Debian:12", "dpkg"),
        ("Ubuntu:22.04:LTS", "dpkg"),
        ("Alpine:v3.20", "apk"),
        ("Wolfi", "apk"),
        ("Chainguard", "apk"),
        ("Red Hat:enterprise_linux:9::appstream", "rpm"),
        ("Rocky Linux:9", "rpm"),
        ("AlmaLinux:8", "rpm"),
        ("SUSE:Linux Enterprise Server 15 SP5", "rpm"),
        ("openSUSE:Leap 15.5", "rpm"),
        ("PyPI", "pep440"),
        ("npm", "npm-semver"),
        ("Go", "go-semver"),
        ("Maven", "maven"),
        ("RubyGems", "rubygems"),
        ("crates.io", "cargo-semver"),
        ("NuGet", "nuget"),
        ("Packagist", "composer"),
        ("Hex", "hex-semver"),
        ("Pub", "pub-semver"),
        (Ecosystem.DEBIAN, "dpkg"),
    ],
)
def test_ecosystem_names_choose_the_scheme(ecosystem: str | Ecosystem, scheme: str) -> None:
    assert scheme_for(ecosystem).name == scheme


def test_every_matched_ecosystem_has_a_scheme() -> None:
    assert set(SCHEMES) == set(Ecosystem) - {Ecosystem.CONDA}


@pytest.mark.parametrize(
    "ecosystem", ["conda", "Hackage", "debian:12", "", "Bitnami", Ecosystem.CONDA]
)
def test_unsupported_ecosystems_are_input_errors(ecosystem: str | Ecosystem) -> None:
    with pytest.raises(UnsupportedEcosystemError) as raised:
        compare(ecosystem, "1", "2")
    assert isinstance(raised.value, InputError)


def test_invalid_version_names_the_ecosystem_and_the_string() -> None:
    with pytest.raises(InvalidVersionError) as raised:
        compare("Ubuntu:22.04", "1.0", "1.0-")
    error = raised.value
    assert isinstance(error, InputError)
    assert error.ecosystem == "Ubuntu" and error.version == "1.0-"
    assert "Ubuntu" in str(error) and "'1.0-'" in str(error) and "revision" in str(error)


@pytest.mark.parametrize("ecosystem", sorted(e.value for e in SCHEMES))
def test_blank_and_oversized_versions_are_invalid_everywhere(ecosystem: str) -> None:
    for version in ("", "   "):
        with pytest.raises(InvalidVersionError):
            key(ecosystem, version)
    huge = "1" * (MAX_VERSION_LENGTH + 1)
    with pytest.raises(InvalidVersionError) as raised:
        key(ecosystem, huge)
    assert len(str(raised.value)) < 300  # the message shows the start, not all of it


def test_keys_are_cached_and_order_like_compare() -> None:
    assert key("Debian:12", "1.2-3") is key("Debian:11", "1.2-3")
    versions = ["1.0-1", "1:0.5", "1.0~rc1-1", "1.0-1+b1", "0.9"]
    assert sorted(versions, key=sort_key("Debian")) == [
        "0.9", "1.0~rc1-1", "1.0-1", "1.0-1+b1", "1:0.5",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("ecosystem", "a", "b", "expected"),
    [
        # Go: OSV's v-less form, pseudo-versions, +incompatible ignored.
        ("Go", "1.2.3", "v1.2.3", 0),
        ("Go", "v2.0.0+incompatible", "v2.0.0", 0),
        ("Go", "v1.2.4-0.20210101000000-abcdef123456", "v1.2.4", -1),
        ("Go", "v1.2.4-0.20210101000000-abcdef123456", "v1.2.3", 1),
        # npm: loose leading v and =, build ignored, prerelease before release.
        ("npm", "=v1.2.3", "1.2.3+build.7", 0),
        ("npm", "1.2.3-rc.10", "1.2.3-rc.9", 1),
        # Cargo and Hex ignore build metadata; Pub orders it.
        ("crates.io", "1.0.0+a", "1.0.0+b", 0),
        ("Hex", "1.0.0+a", "1.0.0", 0),
        ("Pub", "1.0.0+a", "1.0.0", 1),
        # NuGet: fourth number, case-insensitive labels.
        ("NuGet", "1.0.0.1", "1.0.0", 1),
        ("NuGet", "1.0", "1.0.0.0", 0),
        ("NuGet", "1.0.0-RC.1", "1.0.0-rc.1", 0),
        # RPM: tilde before, caret after the base version; epoch first.
        ("Rocky Linux:9", "1.0~rc1-1", "1.0-1", -1),
        ("AlmaLinux:9", "1.0^git1-1", "1.0-1", 1),
        ("SUSE", "1:0.1-1", "9.9-1", 1),
        # apk: suffix order and revisions.
        ("Alpine", "1.0_rc1", "1.0", -1),
        ("Wolfi", "1.0_p1", "1.0", 1),
        ("Chainguard", "1.0-r1", "1.0-r10", -1),
        # PEP 440 normalisation.
        ("PyPI", "1.0", "1.0.0", 0),
        ("PyPI", "1.0.POST1", "1.0-1", 0),
        # Maven qualifiers.
        ("Maven", "1.0-SNAPSHOT", "1.0", -1),
        ("Maven", "1.0.Final", "1.0", 0),
        ("Maven", "1.0-sp1", "1.0", 1),
        ("Maven", "1.0-RC1", "1.0-cr1", 0),
        # RubyGems prerelease letters.
        ("RubyGems", "1.0.a", "1.0", -1),
        ("RubyGems", "1.0-rc1", "1.0.pre.rc1", 0),
        # Composer normalisation and stabilities.
        ("Packagist", "v1.2", "1.2.0.0", 0),
        ("Packagist", "1.0.0-beta2", "1.0.0-RC1", -1),
        ("Packagist", "1.0.0-patch1", "1.0.0", 1),
    ],
)
def test_ecosystem_rules(ecosystem: str, a: str, b: str, expected: int) -> None:
    assert compare(ecosystem, a, b) == expected
    assert compare(ecosystem, b, a) == -expected


@pytest.mark.parametrize(
    ("ecosystem", "version"),
    [
        ("PyPI", "2004d"),  # legacy, non-PEP 440: refused, not guessed
        ("PyPI", "1.0-SNAPSHOT"),
        ("Go", "go1.21.0"),
        ("Go", "v1.2-pre"),
        ("npm", "1.2"),
        ("npm", "9007199254740992.0.0"),
        ("crates.io", "v1.0.0"),
        ("Alpine", "1.0-r1a"),
        ("NuGet", "1.0.0.0.0"),
        ("NuGet", "1.0.0-01"),
        ("Packagist", "1.0.0-gamma"),
        ("RubyGems", "1.0+build"),
        ("Debian", "1.0 1"),
        ("Pub", "1.0"),
    ],
)
def test_invalid_versions(ecosystem: str, version: str) -> None:
    with pytest.raises(InvalidVersionError) as raised:
        key(ecosystem, version)
    assert raised.value.ecosystem == ecosystem
