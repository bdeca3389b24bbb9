"""Fingerprints: SHA-256 of the JSON array DESIGN.md §4 names, however it is put together."""

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from seawall.match.fingerprint import fingerprint_with, package_part, vulnerability_fingerprint
from seawall.model.package import Ecosystem, Location, Package


def _plain(vulnerability_id: str, package: Package) -> str:
    path = package.locations[0].path if package.locations else ""
    fields = ["vulnerability", vulnerability_id, package.osv_ecosystem, package.name]
    text = json.dumps([*fields, package.version, path], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# Quotes, backslashes, control characters, non-ASCII: everything JSON escapes or keeps.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(TEXT, TEXT, TEXT, st.one_of(st.none(), TEXT))
def test_the_package_part_joined_to_an_id_is_the_whole_array(
    vulnerability_id: str, name: str, version: str, path: str | None
) -> None:
    package = Package(
        name=name,
        version=version,
        ecosystem=Ecosystem.PYPI,
        purl="pkg:pypi/x",
        cataloger="test",
        locations=() if path is None else (Location(path, 0),),
    )
    expected = _plain(vulnerability_id, package)
    assert vulnerability_fingerprint(vulnerability_id, package) == expected
    assert fingerprint_with(vulnerability_id, package_part(package)) == expected


def test_a_known_fingerprint_stays_the_same() -> None:
    package = Package(
        name="openssl",
        version="3.0.11-1",
        ecosystem=Ecosystem.DEBIAN,
        purl="pkg:deb/debian/openssl@3.0.11-1",
        cataloger="test",
        ecosystem_release="12",
        locations=(Location("/var/lib/dpkg/status", 1),),
    )
    text = (
        '["vulnerability", "CVE-2024-1", "Debian:12", "openssl", "3.0.11-1", '
        '"/var/lib/dpkg/status"]'
    )
    assert (
        vulnerability_fingerprint("CVE-2024-1", package)
        == hashlib.sha256(text.encode()).hexdigest()
    )
