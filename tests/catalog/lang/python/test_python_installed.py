"""python/installed on real dist-info (pip install --target) and egg-info (Debian) metadata."""

import time

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.python import InstalledCataloger
from seawall.model.package import Ecosystem, Location

CATALOGER = InstalledCataloger()
SITE = "/usr/local/lib/python3.11/site-packages"


def test_wants_metadata_files_only() -> None:
    wants = CATALOGER.wants
    assert wants(f"{SITE}/six-1.16.0.dist-info/METADATA")
    assert wants("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO")
    assert wants("/usr/lib/python3/dist-packages/rpm-4.18.0.egg-info")
    assert wants(f"{SITE}/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO")
    assert not wants(f"{SITE}/six-1.16.0.dist-info/RECORD")
    assert not wants(f"{SITE}/requests/METADATA")
    assert not wants("/src/project/PKG-INFO")  # an sdist's PKG-INFO is not an install
    assert not wants(f"{SITE}/six-1.16.0.dist-info/METADATA.bak")


def test_site_packages_match_pip_list(
    data_files, pypi_triples, expected_pypi, python_data, tool_output
) -> None:
    files = data_files("site-packages", CATALOGER.wants, root=SITE)
    result = CATALOGER.catalog(files, CatalogContext())
    assert result.problems == ()
    assert result.files_read == len(files) == 4
    # `pip list --path` over the same directory, recorded when the data was made
    assert pypi_triples(result) == expected_pypi(
        tool_output["pip-list"](python_data / "site-packages/pip-list.json")
    )
    by_name = {p.name: p for p in result.packages}
    # the Name header is kept as written; the purl carries the PEP 503 name
    assert by_name["PySocks"].purl == "pkg:pypi/pysocks@1.7.1"
    assert by_name["python-dateutil"].purl == "pkg:pypi/python-dateutil@2.9.0.post0"
    assert by_name["six"].locations == (
        Location(path=f"{SITE}/six-1.16.0.dist-info/METADATA", layer=3),
    )
    assert all(p.ecosystem is Ecosystem.PYPI for p in result.packages)
    assert all(p.cataloger == "python/installed" for p in result.packages)
    # urllib3 2.2.1 has no License header: the trove classifier names it
    assert by_name["urllib3"].licenses == ("MIT License",)
    assert by_name["six"].licenses == ("MIT",)


def test_debian_egg_info_file_and_directories(
    data_files, pypi_triples, expected_pypi, python_data, tool_output
) -> None:
    root = "/usr/lib/python3/dist-packages"
    files = data_files("dist-packages", CATALOGER.wants, root=root)
    result = CATALOGER.catalog(files, CatalogContext())
    assert result.problems == ()
    assert pypi_triples(result) == expected_pypi(
        tool_output["pip-list"](python_data / "dist-packages/pip-list.json")
    )
    rpm = next(p for p in result.packages if p.name == "rpm")
    assert rpm.locations == (Location(path=f"{root}/rpm-4.18.0.egg-info", layer=3),)


def test_same_release_in_two_places_is_one_package_with_two_locations() -> None:
    metadata = b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n"
    files = [
        CatalogFile(f"{SITE}/six-1.16.0.dist-info/METADATA", metadata, 1),
        CatalogFile("/usr/lib/python3/dist-packages/six-1.16.0.egg-info", metadata, 2),
    ]
    result = CATALOGER.catalog(files, CatalogContext())
    assert len(result.packages) == 1
    assert [loc.layer for loc in result.packages[0].locations] == [1, 2]


def _licenses(headers: str) -> tuple[str, ...]:
    content = f"Metadata-Version: 2.4\nName: x\nVersion: 1\n{headers}\n\nbody".encode()
    result = CATALOGER.catalog(
        [CatalogFile(f"{SITE}/x-1.dist-info/METADATA", content)], CatalogContext()
    )
    return result.packages[0].licenses


def test_licence_preference() -> None:
    # PEP 639 expression wins over everything
    assert _licenses("License-Expression: MIT OR Apache-2.0\nLicense: BSD") == (
        "MIT OR Apache-2.0",
    )
    assert _licenses(
        "License: BSD-3-Clause\nClassifier: License :: OSI Approved :: MIT License"
    ) == ("BSD-3-Clause",)
    # a whole licence text folded into License is not a name: fall back to classifiers
    folded = "License: Copyright (c) 2020\n        Permission is hereby granted\n"
    assert _licenses(folded + "Classifier: License :: OSI Approved :: MIT License") == (
        "MIT License",
    )
    assert _licenses("License: UNKNOWN\nClassifier: License :: OSI Approved") == ()
    assert _licenses("") == ()


def test_long_description_body_is_not_parsed() -> None:
    body = ("x" * 79 + "\n") * (8 * 1024 * 1024 // 80)  # 8 MiB of README
    content = f"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n\n{body}".encode()
    start = time.perf_counter()
    result = CATALOGER.catalog(
        [CatalogFile(f"{SITE}/big-1.0.dist-info/METADATA", content)], CatalogContext()
    )
    assert time.perf_counter() - start < 1.0
    assert [(p.name, p.version) for p in result.packages] == [("big", "1.0")]


def test_malformed_metadata_is_a_problem_not_an_exception() -> None:
    files = [
        CatalogFile(f"{SITE}/a-1.dist-info/METADATA", b"\x00\xff\xfe binary garbage"),
        CatalogFile(f"{SITE}/b-1.dist-info/METADATA", b"Metadata-Version: 2.1\nName: b\n"),
        CatalogFile(f"{SITE}/c-1.dist-info/METADATA", b"   continuation first\n"),
        CatalogFile(f"{SITE}/d-1.dist-info/METADATA", b"Name: d\nVersion: 2\n"),
    ]
    result = CATALOGER.catalog(files, CatalogContext())
    assert [(p.name, p.version) for p in result.packages] == [("d", "2")]
    assert len(result.problems) == 3
    assert result.problems[0].startswith(f"{SITE}/a-1.dist-info/METADATA: ")
    assert "no Name or no Version" in result.problems[1]


def test_file_over_the_limit_is_refused() -> None:
    assert CATALOGER.MAX_FILE_BYTES < 50 * 1024 * 1024
    huge = b"Name: huge\nVersion: 1\n\n" + b"x" * (50 * 1024 * 1024)
    result = CATALOGER.catalog(
        [CatalogFile(f"{SITE}/huge-1.dist-info/METADATA", huge)], CatalogContext()
    )
    assert result.packages == ()
    assert result.files_read == 0
    assert "over the" in result.problems[0]
