"""python/requirements on a real `uv pip compile --generate-hashes` file and on include graphs."""

from seawall.catalog.base import CatalogContext, CatalogFile, CatalogResult
from seawall.catalog.lang.python import RequirementsCataloger
from seawall.catalog.lang.python.requirements import MAX_INCLUDE_DEPTH
from seawall.model.package import Location

CATALOGER = RequirementsCataloger()


def _run(tree: dict[str, str], roots: list[str] | None = None) -> CatalogResult:
    """Hand the cataloger `roots` (default: every wanted file); the rest only via lookup."""
    files = {path: CatalogFile(path, text.encode(), 1) for path, text in tree.items()}
    handed = [files[p] for p in (roots if roots is not None else tree) if CATALOGER.wants(p)]
    return CATALOGER.catalog(handed, CatalogContext(lookup=files.get))


def _pairs(result: CatalogResult) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in result.packages}


def test_wants() -> None:
    assert CATALOGER.wants("/app/requirements.txt")
    assert CATALOGER.wants("/app/requirements-dev.txt")
    assert CATALOGER.wants("/app/dev-requirements.txt")
    assert CATALOGER.wants("/app/requirements/base.txt")
    assert CATALOGER.wants("/app/constraints.txt")
    assert not CATALOGER.wants("/app/requirements.in")  # pip-tools input, not a lock
    assert not CATALOGER.wants("/app/notes.txt")


def test_real_compiled_file_with_hashes(
    data_files, pypi_triples, expected_pypi, python_data, tool_output
) -> None:
    files = data_files("requirements", CATALOGER.wants)
    result = CATALOGER.catalog(files, CatalogContext())
    assert result.problems == ()
    # the pins uv wrote are the resolution: read them back with a plain regex
    expected = tool_output["pins"](python_data / "requirements/requirements.txt")
    assert expected == {
        ("pysocks", "1.7.1"),
        ("python-dateutil", "2.9.0.post0"),
        ("six", "1.17.0"),
        ("urllib3", "2.2.1"),
    }
    assert pypi_triples(result) == expected_pypi(expected)
    assert all(p.locations == (Location("/app/requirements.txt", 3),) for p in result.packages)


def test_line_syntax() -> None:
    text = "\n".join(
        [
            "# a comment",
            "Django==4.2.1  # trailing comment",
            "requests[socks,security] == 2.31.0 ; python_version >= '3.8'",
            "zope.interface===6.0",
            "numpy==1.26.*",  # a wildcard is a range, not a pin
            "flask>=2.0,<3",  # a range says nothing about what is installed
            "attrs",
            "cryptography==41.0.3 \\",
            "    --hash=sha256:0d09fb5356f975974dbcb595ad2d178305e5050656affb7890a1583f5e02a306 \\",
            "    --hash=sha256:23c2d778cf829f7d0ae180600b17e9fceea3c2ef8b31a99e3c694cbbf3a24b84",
            "pywin32==306; sys_platform == 'win32'",
            "pywin32==305; sys_platform != 'win32'",
            "-e git+https://user:token@example.com/repo.git#egg=private",
            "--editable ./local",
            "./vendor/pkg-1.0.tar.gz",
            "https://example.com/wheels/thing-1.0-py3-none-any.whl",
            "direct @ https://example.com/direct-1.0.tar.gz",
            "--index-url https://pypi.org/simple",
            "--pre",
        ]
    )
    result = _run({"/app/requirements.txt": text})
    assert result.problems == ()
    assert _pairs(result) == {
        ("Django", "4.2.1"),
        ("requests", "2.31.0"),
        ("zope.interface", "6.0"),
        ("cryptography", "41.0.3"),
        ("pywin32", "306"),  # markers are not evaluated: both alternatives are kept
        ("pywin32", "305"),
    }
    purls = {p.purl for p in result.packages}
    assert "pkg:pypi/zope-interface@6.0" in purls
    assert "pkg:pypi/django@4.2.1" in purls


def test_includes_resolve_relative_to_the_including_file() -> None:
    tree = {
        "/app/requirements.txt": (
            "-r requirements/base.txt\n--requirement=../shared/requirements-common.txt\n"
        ),
        "/app/requirements/base.txt": "six==1.16.0\n-rnested/requirements-more.txt\n",
        "/app/requirements/nested/requirements-more.txt": "idna==3.6\n",
        "/shared/requirements-common.txt": "certifi==2024.2.2\n",
    }
    result = _run(tree, roots=["/app/requirements.txt"])
    assert result.problems == ()
    assert _pairs(result) == {("six", "1.16.0"), ("idna", "3.6"), ("certifi", "2024.2.2")}
    six = next(p for p in result.packages if p.name == "six")
    # the package is located where its pin is written
    assert six.locations == (Location("/app/requirements/base.txt", 1),)
    assert result.files_read == 4


def test_constraints_pin_only_what_requirements_name() -> None:
    tree = {
        "/app/requirements.txt": "requests\nflask\n-c constraints.txt\n",
        "/app/constraints.txt": "requests==2.31.0\nurllib3==2.2.1\n",
    }
    result = _run(tree)
    # urllib3 is only constrained, never required; flask has no pin anywhere;
    # constraints.txt alone installs nothing
    assert _pairs(result) == {("requests", "2.31.0")}
    requests = result.packages[0]
    assert requests.locations == (
        Location("/app/requirements.txt", 1),
        Location("/app/constraints.txt", 1),
    )


def test_include_cycle_is_a_problem_and_terminates() -> None:
    tree = {
        "/app/requirements.txt": "six==1.16.0\n-r requirements-b.txt\n",
        "/app/requirements-b.txt": "idna==3.6\n-r requirements.txt\n",
    }
    result = _run(tree, roots=["/app/requirements.txt"])
    assert _pairs(result) == {("six", "1.16.0"), ("idna", "3.6")}
    assert result.problems == (
        "/app/requirements-b.txt: line 2: include cycle through /app/requirements.txt",
    )


def test_cycle_seen_from_every_root_is_reported_once_per_include() -> None:
    tree = {
        "/app/requirements.txt": "-r requirements-b.txt\n",
        "/app/requirements-b.txt": "-r requirements.txt\n",
    }
    result = _run(tree)
    assert sorted(result.problems) == [
        "/app/requirements-b.txt: line 1: include cycle through /app/requirements.txt",
        "/app/requirements.txt: line 1: include cycle through /app/requirements-b.txt",
    ]


def test_self_include_is_a_cycle() -> None:
    result = _run({"/app/requirements.txt": "-r ./requirements.txt\nsix==1.16.0\n"})
    assert _pairs(result) == {("six", "1.16.0")}
    assert "include cycle" in result.problems[0]


def test_include_depth_is_limited() -> None:
    depth = MAX_INCLUDE_DEPTH + 3
    tree = {
        f"/app/requirements-{i}.txt": f"pkg{i}==1.0\n-r requirements-{i + 1}.txt\n"
        for i in range(depth)
    }
    result = _run(tree, roots=["/app/requirements-0.txt"])
    assert len(result.packages) == MAX_INCLUDE_DEPTH + 1
    assert any("nested deeper" in problem for problem in result.problems)


def test_diamond_includes_are_read_once() -> None:
    tree = {
        "/app/requirements.txt": "-r requirements-a.txt\n-r requirements-b.txt\n",
        "/app/requirements-a.txt": "-r requirements-common.txt\n",
        "/app/requirements-b.txt": "-r requirements-common.txt\n",
        "/app/requirements-common.txt": "six==1.16.0\n",
    }
    result = _run(tree, roots=["/app/requirements.txt"])
    assert result.problems == ()
    assert result.files_read == 4
    assert _pairs(result) == {("six", "1.16.0")}


def test_missing_include_and_invalid_lines_are_problems() -> None:
    tree = {"/app/requirements.txt": "-r requirements-gone.txt\nsix==1.16.0\nnot a requirement!!\n"}
    result = _run(tree)
    assert _pairs(result) == {("six", "1.16.0")}
    assert len(result.problems) == 2
    assert result.problems[0].startswith("/app/requirements.txt: line 3: invalid requirement")
    assert result.problems[1] == (
        "/app/requirements.txt: line 1: included file /app/requirements-gone.txt is not available"
    )


def test_problems_do_not_repeat_credentials() -> None:
    # a private index URL with a token: skipped lines must not leak it anywhere
    text = "-e git+https://deploy:s3cr3t-t0ken@git.example.com/x.git#egg=x\n-r https://deploy:s3cr3t-t0ken@example.com/r.txt\n"
    result = _run({"/app/requirements.txt": text})
    assert result.packages == ()
    assert "s3cr3t" not in " ".join(result.problems)


def test_oversized_file_is_refused() -> None:
    assert CATALOGER.MAX_FILE_BYTES < 50 * 1024 * 1024
    result = _run({"/app/requirements.txt": "six==1.16.0\n" * (CATALOGER.MAX_FILE_BYTES // 10)})
    assert result.packages == ()
    assert "over the" in result.problems[0]
