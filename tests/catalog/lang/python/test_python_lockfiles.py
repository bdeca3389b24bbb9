"""Poetry, uv, PDM and pipenv lockfiles made by the real tools, and conda-meta records."""

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.python import (
    CondaMetaCataloger,
    PdmLockCataloger,
    PipfileLockCataloger,
    PoetryLockCataloger,
    UvLockCataloger,
)
from seawall.model.package import Ecosystem, Relationship

# (cataloger, data directory, the tool's own listing of what it locked, reader)
LOCKS = [
    (PoetryLockCataloger(), "poetry-1.1", "poetry-show.txt", "poetry-show"),
    (PoetryLockCataloger(), "poetry-2.1", "poetry-show.txt", "poetry-show"),
    (UvLockCataloger(), "uv", "uv-export.txt", "pins"),
    (PdmLockCataloger(), "pdm", "pdm-export.txt", "pins"),
    (PipfileLockCataloger(), "pipenv", "pipenv-requirements.txt", "pins"),
]
DEPENDENCY_EDGES = {
    Relationship("pkg:pypi/python-dateutil@2.9.0.post0", "pkg:pypi/six@1.17.0"),
    Relationship("pkg:pypi/urllib3@2.2.1", "pkg:pypi/pysocks@1.7.1"),
}


@pytest.mark.parametrize(
    ("cataloger", "sub", "listing", "reader"), LOCKS, ids=[s for _, s, _, _ in LOCKS]
)
def test_lockfile_matches_the_tools_own_listing(
    cataloger,
    sub,
    listing,
    reader,
    data_files,
    pypi_triples,
    expected_pypi,
    python_data,
    tool_output,
) -> None:
    files = data_files(sub, cataloger.wants)
    assert len(files) == 1
    result = cataloger.catalog(files, CatalogContext())
    assert result.problems == ()
    expected = tool_output[reader](python_data / sub / listing)
    assert {("urllib3", "2.2.1"), ("six", "1.17.0")} <= expected  # the listing was read
    assert pypi_triples(result) == expected_pypi(expected)
    assert all(p.cataloger == cataloger.NAME for p in result.packages)
    assert all(p.locations[0].path == files[0].path for p in result.packages)
    if cataloger.NAME == "python/pipfile-lock":
        assert result.relationships == ()  # Pipfile.lock states no edges
    else:
        assert set(result.relationships) == DEPENDENCY_EDGES


def test_wants() -> None:
    assert PoetryLockCataloger().wants("/app/poetry.lock")
    assert UvLockCataloger().wants("/app/uv.lock")
    assert PdmLockCataloger().wants("/srv/pdm.lock")
    assert PipfileLockCataloger().wants("/app/Pipfile.lock")
    assert not PipfileLockCataloger().wants("/app/Pipfile")
    assert not PoetryLockCataloger().wants("/app/poetry.lock.bak")
    conda = CondaMetaCataloger()
    assert conda.wants("/opt/conda/conda-meta/python-3.11.5-h955ad1f_0.json")
    assert conda.wants("/opt/conda/envs/ml/conda-meta/numpy-1.26.0-py311_0.json")
    assert not conda.wants("/opt/conda/conda-meta/history")
    assert not conda.wants("/opt/conda/pkgs/python/info/index.json")


def test_uv_skips_the_project_and_follows_versioned_dependencies() -> None:
    lock = b"""
version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "numpy", version = "1.26.4", source = { registry = "https://x" } }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://x" }

[[package]]
name = "numpy"
version = "2.0.0"
source = { registry = "https://x" }

[[package]]
name = "tool"
version = "1.0"
source = { registry = "https://x" }
dependencies = [{ name = "numpy", version = "2.0.0", source = { registry = "https://x" } }]
"""
    result = UvLockCataloger().catalog([CatalogFile("/app/uv.lock", lock)], CatalogContext())
    assert [(p.name, p.version) for p in result.packages] == [
        ("numpy", "1.26.4"),
        ("numpy", "2.0.0"),
        ("tool", "1.0"),
    ]
    assert result.relationships == (Relationship("pkg:pypi/tool@1.0", "pkg:pypi/numpy@2.0.0"),)


def test_conda_meta_records(python_data) -> None:
    cataloger = CondaMetaCataloger()
    base = python_data / "conda-meta"
    files = [
        CatalogFile(f"/opt/conda/conda-meta/{p.name}", p.read_bytes(), 4)
        for p in sorted(base.iterdir())
    ]
    result = cataloger.catalog(files, CatalogContext())
    assert result.problems == ()
    assert result.files_read == 3
    assert [(p.name, p.version, p.purl) for p in result.packages] == [
        (
            "openssl",
            "3.0.10",
            "pkg:conda/openssl@3.0.10?build=h7f8727e_2&channel=conda-forge&subdir=linux-64&type=tar.bz2",
        ),
        (
            "python",
            "3.11.5",
            "pkg:conda/python@3.11.5?build=h955ad1f_0&channel=main&subdir=linux-64&type=conda",
        ),
    ]  # six from the `pypi` pseudo-channel is pip's, reported by python/installed
    assert all(p.ecosystem is Ecosystem.CONDA for p in result.packages)
    assert result.packages[1].licenses == ("Python-2.0",)
    python, openssl = result.packages[1].purl, result.packages[0].purl
    assert result.relationships == (Relationship(python, openssl),)


def test_conda_channel_tokens_never_reach_the_purl() -> None:
    record = (
        b'{"name": "private", "version": "1.0", "build": "0", "subdir": "noarch",'
        b' "channel": "https://conda.anaconda.org/t/tk-12345-secret/acme/noarch"}'
    )
    mirror = (
        b'{"name": "mirrored", "version": "2.0", "subdir": "linux-64",'
        b' "channel": "https://user:pw@mirror.example.com/conda/t/abc/internal/linux-64"}'
    )
    files = [
        CatalogFile("/env/conda-meta/private-1.0-0.json", record),
        CatalogFile("/env/conda-meta/mirrored-2.0-0.json", mirror),
    ]
    result = CondaMetaCataloger().catalog(files, CatalogContext())
    purls = [p.purl for p in result.packages]
    assert purls == [
        "pkg:conda/mirrored@2.0?channel=https://mirror.example.com/conda/internal&subdir=linux-64",
        "pkg:conda/private@1.0?build=0&channel=acme&subdir=noarch",
    ]
    assert not any(secret in " ".join(purls) for secret in ("secret", "abc", "pw@"))


MALFORMED = [
    (PoetryLockCataloger(), "/app/poetry.lock", b"[[package]\nname = 'x'", "invalid TOML"),
    (UvLockCataloger(), "/app/uv.lock", b"a = " + b"[" * 100_000, "invalid TOML"),
    (PdmLockCataloger(), "/app/pdm.lock", b"\xff\xfe\x00", "not UTF-8"),
    (PipfileLockCataloger(), "/app/Pipfile.lock", b'{"default": ', "invalid JSON"),
    (PipfileLockCataloger(), "/app/Pipfile.lock", b"[" * 200_000, "nested too deeply"),
    (PipfileLockCataloger(), "/app/Pipfile.lock", b"[1, 2]", "top level is not an object"),
    (CondaMetaCataloger(), "/e/conda-meta/x.json", b'{"name": 1}', "no name or version"),
    (PoetryLockCataloger(), "/app/poetry.lock", b'[[package]]\nname = "x"\n', "no name or version"),
]


@pytest.mark.parametrize(("cataloger", "path", "content", "message"), MALFORMED)
def test_malformed_input_is_a_problem_naming_the_file(cataloger, path, content, message) -> None:
    result = cataloger.catalog([CatalogFile(path, content)], CatalogContext())
    assert result.packages == ()
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{path}: ")
    assert message in result.problems[0]


def test_wrong_shapes_are_ignored_not_fatal() -> None:
    # valid TOML of the wrong shape: `package` is not an array of tables
    for content in (b'package = "x"\n', b"package = [1, 2]\n", b"[metadata]\n"):
        result = PoetryLockCataloger().catalog(
            [CatalogFile("/p/poetry.lock", content)], CatalogContext()
        )
        assert result.packages == () and result.problems == ()
    pipfile = (
        b'{"default": {"a": {"version": "==1.0"}, "b": "x", "c": {"git": "https://x"}},'
        b' "develop": []}'
    )
    result = PipfileLockCataloger().catalog(
        [CatalogFile("/p/Pipfile.lock", pipfile)], CatalogContext()
    )
    assert [(p.name, p.version) for p in result.packages] == [("a", "1.0")]


@pytest.mark.parametrize(
    "cataloger",
    [
        PoetryLockCataloger(),
        UvLockCataloger(),
        PdmLockCataloger(),
        PipfileLockCataloger(),
        CondaMetaCataloger(),
    ],
)
def test_files_over_the_limit_are_refused(cataloger) -> None:
    assert cataloger.MAX_FILE_BYTES < 50 * 1024 * 1024
    content = b" " * (cataloger.MAX_FILE_BYTES + 1)
    result = cataloger.catalog([CatalogFile("/x/over", content)], CatalogContext())
    assert result.files_read == 0
    assert result.problems == (
        f"/x/over: {len(content)} bytes, over the {cataloger.MAX_FILE_BYTES}-byte limit",
    )
