"""go/binary on real Go programs built here (ELF, PE, Mach-O), checked against `go version -m`."""

import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.binaries import ExecutableKind, parse_executables
from seawall.catalog.lang.go import GoBinaryCataloger
from seawall.catalog.lang.go.buildinfo import MAGIC, find_build_info
from seawall.catalog.lang.go.modinfo import ModInfoError, parse_modinfo
from seawall.model.package import Ecosystem

GO = shutil.which("go")
needs_go = pytest.mark.skipif(
    GO is None, reason="Go toolchain not installed (apt-get install golang-go)"
)
# Start/end sentinels cmd/go wraps the module information in (modload infoStart/infoEnd).
FRAME_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
FRAME_END = bytes.fromhex("f932433186182072008242104116d8f2")


def _zip_module(proxy: Path, path: str, version: str, files: dict[str, str]) -> None:
    """Publish a module in a file-system GOPROXY (go.dev/ref/mod#goproxy-protocol)."""
    import zipfile

    base = proxy / path / "@v"
    base.mkdir(parents=True, exist_ok=True)
    (base / "list").write_text(version + "\n")
    (base / f"{version}.info").write_text(f'{{"Version":"{version}"}}')
    (base / f"{version}.mod").write_text(files["go.mod"])
    with zipfile.ZipFile(base / f"{version}.zip", "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{path}@{version}/{name}", text)


@dataclass
class GoProject:
    root: Path
    app: Path
    env: dict[str, str]

    def build(self, output: str, goos: str, goarch: str, *flags: str) -> Path:
        target = self.root / output
        subprocess.run(
            [GO or "go", "build", *flags, "-o", str(target), "."],
            cwd=self.app,
            env={**self.env, "GOOS": goos, "GOARCH": goarch},
            check=True,
            capture_output=True,
        )
        return target


@pytest.fixture(scope="session")
def go_project(tmp_path_factory: pytest.TempPathFactory) -> GoProject:
    """A module with a proxied dependency, a module replacement and a local replacement."""
    if GO is None:
        pytest.skip("Go toolchain not installed")
    root = tmp_path_factory.mktemp("goproj")
    proxy = root / "proxy"
    _zip_module(
        proxy,
        "example.com/dep",
        "v1.0.0",
        {
            "go.mod": "module example.com/dep\n\ngo 1.18\n",
            "dep.go": 'package dep\n\nconst Name = "dep"\n',
        },
    )
    _zip_module(
        proxy,
        "example.com/newer",
        "v1.1.0",
        {
            "go.mod": "module example.com/older\n\ngo 1.18\n",
            "older.go": 'package older\n\nconst Name = "newer"\n',
        },
    )
    lib = root / "lib"
    lib.mkdir()
    (lib / "go.mod").write_text("module example.com/lib\n\ngo 1.18\n")
    (lib / "lib.go").write_text('package lib\n\nconst Name = "lib"\n')
    app = root / "app"
    app.mkdir()
    (app / "go.mod").write_text(
        "module example.com/app\n\ngo 1.18\n\n"
        "require (\n\texample.com/dep v1.0.0\n\texample.com/lib v1.2.3\n"
        "\texample.com/older v1.0.0\n)\n\n"
        "replace example.com/lib v1.2.3 => ../lib\n\n"
        "replace example.com/older => example.com/newer v1.1.0\n"
    )
    (app / "main.go").write_text(
        'package main\n\nimport (\n\t"example.com/dep"\n\t"example.com/lib"\n'
        '\t"example.com/older"\n)\n\n'
        "func main() { println(dep.Name, lib.Name, older.Name) }\n"
    )
    home = Path.home()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "GOPROXY": proxy.as_uri(),
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        "GOPATH": str(root / "gopath"),
        "GOCACHE": str(home / ".cache" / "go-build"),
        "CGO_ENABLED": "0",
    }
    subprocess.run([GO, "mod", "tidy"], cwd=app, env=env, check=True, capture_output=True)
    return GoProject(root, app, env)


@dataclass(frozen=True)
class Reference:
    go_version: str
    modules: frozenset[tuple[str, str]]
    settings: tuple[str, ...]


def go_version_m(binary: Path) -> Reference:
    """What the Go toolchain itself reads from `binary`, with replacements applied.

    Local-directory replacements keep the original path and take the replacement's
    version (`(devel)`), module replacements take the replacement's path and version.
    """
    output = subprocess.run(
        [GO or "go", "version", "-m", str(binary)], check=True, capture_output=True, text=True
    ).stdout
    lines = output.splitlines()
    go_version = lines[0].split(": ", 1)[1]
    modules: list[list[str]] = []
    settings: list[str] = []
    for line in lines[1:]:
        fields = line.strip("\t").split("\t")
        if fields[0] in ("mod", "dep"):
            modules.append([fields[1], fields[2]])
        elif fields[0] == "=>":
            local = fields[1].startswith((".", "/"))
            modules[-1] = [modules[-1][0], fields[2]] if local else [fields[1], fields[2]]
        elif fields[0] == "build":
            settings.append(fields[1])
    return Reference(go_version, frozenset(map(tuple, modules)), tuple(settings))  # type: ignore[arg-type]


def catalog(*paths: Path) -> tuple[set[tuple[str, str]], tuple[str, ...]]:
    files = [CatalogFile(str(path), path.read_bytes(), layer=1) for path in paths]
    result = GoBinaryCataloger().catalog(files, CatalogContext())
    assert result.files_read == len(paths)
    return {(p.name, p.version) for p in result.packages}, result.problems


def expected(reference: Reference) -> set[tuple[str, str]]:
    version = reference.go_version.removeprefix("go").split(" ")[0]
    return {*reference.modules, ("stdlib", "v" + version)}


@needs_go
def test_native_elf_matches_go_version_m(go_project: GoProject) -> None:
    binary = go_project.build("app-linux", "linux", "amd64", "-ldflags=-s -w -X main.x=ab")
    reference = go_version_m(binary)
    found, problems = catalog(binary)
    assert problems == ()
    assert found == expected(reference)
    # The three kinds of dependency, as the toolchain reports them.
    assert {("example.com/dep", "v1.0.0"), ("example.com/newer", "v1.1.0")} <= found
    assert ("example.com/lib", "(devel)") in found
    assert ("example.com/app", "(devel)") in found


@needs_go
def test_build_settings_and_purls(go_project: GoProject) -> None:
    binary = go_project.build("app-set", "linux", "amd64", "-ldflags=-s -w", "-gcflags=-N -l")
    reference = go_version_m(binary)
    [image] = parse_executables(binary.read_bytes())
    raw = find_build_info(image)
    assert raw is not None
    info = parse_modinfo(raw.go_version, raw.modinfo)
    assert info.path == "example.com/app"
    assert raw.go_version == reference.go_version
    # go version -m re-quotes values holding spaces or quotes (BuildInfo.String).
    requoted = tuple(
        f'{k}="{v}"' if any(c in v for c in ' \t"`') else f"{k}={v}" for k, v in info.settings
    )
    assert requoted == reference.settings
    assert ("-ldflags", "-s -w") in info.settings
    result = GoBinaryCataloger().catalog(
        [CatalogFile("/usr/local/bin/app", binary.read_bytes(), 3)], CatalogContext()
    )
    purls = {p.purl for p in result.packages}
    version = reference.go_version.removeprefix("go")
    assert f"pkg:golang/stdlib@v{version}" in purls
    assert "pkg:golang/example.com/dep@v1.0.0" in purls
    assert "pkg:golang/example.com/app" in purls  # (devel): no version in the purl
    for package in result.packages:
        assert package.ecosystem is Ecosystem.GO
        assert package.cataloger == "go/binary"
        assert [(loc.path, loc.layer) for loc in package.locations] == [("/usr/local/bin/app", 3)]


@needs_go
@pytest.mark.slow
@pytest.mark.parametrize(
    ("goos", "goarch", "kind"),
    [
        ("windows", "amd64", ExecutableKind.PE),
        ("windows", "386", ExecutableKind.PE),
        ("darwin", "arm64", ExecutableKind.MACHO),
        ("linux", "386", ExecutableKind.ELF),
        ("linux", "s390x", ExecutableKind.ELF),
    ],
)
def test_cross_compiled_formats_match_go_version_m(
    go_project: GoProject, goos: str, goarch: str, kind: ExecutableKind
) -> None:
    binary = go_project.build(f"app-{goos}-{goarch}", goos, goarch)
    [image] = parse_executables(binary.read_bytes())
    assert image.kind is kind
    found, problems = catalog(binary)
    assert problems == ()
    assert found == expected(go_version_m(binary))


@needs_go
def test_go_toolchain_binaries_on_this_machine() -> None:
    """Real binaries shipped by Debian (go, gofmt): stdlib only, as `go version -m` shows."""
    root = Path(GO or "go").resolve().parent
    binaries = [root / "go", root / "gofmt"]
    for binary in binaries:
        found, problems = catalog(binary)
        assert problems == ()
        assert found == expected(go_version_m(binary))


def test_non_go_executables_and_other_files_yield_nothing() -> None:
    ls = Path("/bin/ls").read_bytes()
    files = [
        CatalogFile("/bin/ls", ls),
        CatalogFile("/usr/bin/script", b"#!/bin/sh\necho hi\n"),
        CatalogFile("/app/empty", b""),
        CatalogFile("/app/Main.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x37rest"),
    ]
    result = GoBinaryCataloger().catalog(files, CatalogContext())
    assert result.packages == ()
    assert result.problems == ()


# --- the pre-1.18 pointer format, on hand-built executables -----------------------------


def pointer_format_elf(go_version: bytes, modinfo: bytes, *, wide: bool, big: bool) -> bytes:
    """An ELF with one writable PT_LOAD holding a Go < 1.18 style build-info header.

    Header: magic, pointer size, flags (bit 0 = big-endian), then two pointers to Go
    string headers (data pointer, length), which point at the strings themselves.
    """
    end = ">" if big else "<"
    ptr = "Q" if wide else "I"
    size = 8 if wide else 4
    base, offset = 0x500000, 0x1000
    header_len = 64 if wide else 52
    ph_len = 56 if wide else 32
    framed = FRAME_START + modinfo + FRAME_END
    blob = bytearray(MAGIC + bytes([size, 1 if big else 0]))
    blob += b"\0" * (32 - len(blob))
    strings_at = 64
    version_header_at = 32
    modinfo_header_at = 32 + 2 * size
    version_at = strings_at
    modinfo_at = strings_at + len(go_version)
    struct.pack_into(end + ptr * 2, blob, 16, base + version_header_at, base + modinfo_header_at)
    blob += struct.pack(end + ptr * 2, base + version_at, len(go_version))
    blob += struct.pack(end + ptr * 2, base + modinfo_at, len(framed))
    blob += b"\0" * (strings_at - len(blob))
    blob += go_version + framed
    ident = b"\x7fELF" + bytes([2 if wide else 1, 2 if big else 1, 1]) + b"\0" * 9
    if wide:
        header = struct.pack(
            end + "HHIQQQIHHHHHH", 2, 62, 1, 0, header_len, 0, 0, header_len, ph_len, 1, 64, 0, 0
        )
        program = struct.pack(end + "IIQQQQQQ", 1, 6, offset, base, base, len(blob), len(blob), 16)
    else:
        header = struct.pack(
            end + "HHIIIIIHHHHHH", 2, 3, 1, 0, header_len, 0, 0, header_len, ph_len, 1, 40, 0, 0
        )
        program = struct.pack(end + "IIIIIIII", 1, offset, base, base, len(blob), len(blob), 6, 16)
    image = ident + header + program
    return image + b"\0" * (offset - len(image)) + bytes(blob)


MODINFO = (
    b"path\texample.com/old/cmd\n"
    b"mod\texample.com/old\tv0.3.0\th1:abc=\n"
    b"dep\tgithub.com/pkg/errors\tv0.9.1\th1:def=\n"
    b"dep\tgolang.org/x/sys\tv0.0.0-20200116001909-b77594299b42\n"
    b"=>\tgolang.org/x/sys\tv0.1.0\th1:ghi=\n"
)


@pytest.mark.parametrize(("wide", "big"), [(True, False), (False, True), (False, False)])
def test_pointer_format_of_go_before_1_18(wide: bool, big: bool) -> None:
    data = pointer_format_elf(b"go1.16.15", MODINFO, wide=wide, big=big)
    found, problems = catalog_bytes(data)
    assert problems == ()
    assert found == {
        ("example.com/old", "v0.3.0"),
        ("github.com/pkg/errors", "v0.9.1"),
        ("golang.org/x/sys", "v0.1.0"),
        ("stdlib", "v1.16.15"),
    }


def catalog_bytes(data: bytes) -> tuple[set[tuple[str, str]], tuple[str, ...]]:
    result = GoBinaryCataloger().catalog([CatalogFile("/bin/x", data)], CatalogContext())
    return {(p.name, p.version) for p in result.packages}, result.problems


def test_dangling_string_pointer_is_a_problem_not_an_exception() -> None:
    data = bytearray(pointer_format_elf(b"go1.16", MODINFO, wide=True, big=False))
    at = data.index(MAGIC)
    struct.pack_into("<Q", data, at + 24, 0xDEAD0000)  # modinfo pointer into nowhere
    found, problems = catalog_bytes(bytes(data))
    assert found == set()
    assert len(problems) == 1
    assert problems[0].startswith("/bin/x: ") and "not in the file" in problems[0]


def test_malformed_modinfo_keeps_stdlib_and_says_why() -> None:
    data = pointer_format_elf(b"go1.17.2", b"=>\torphan\tv1\t\n", wide=True, big=False)
    found, problems = catalog_bytes(data)
    assert found == {("stdlib", "v1.17.2")}
    assert problems == (
        "/bin/x: Go module information: line 1: replacement with no module on previous line",
    )


def test_out_of_range_headers_are_problems() -> None:
    good = pointer_format_elf(b"go1.16", MODINFO, wide=True, big=False)
    cases = {
        "phoff past the end": good[:32] + struct.pack("<Q", 10**9) + good[40:],
        "truncated": good[:40],
        "segment past the end": good[: 64 + 8] + struct.pack("<Q", 10**9) + good[64 + 16 :],
        "section table past the end": good[:40] + struct.pack("<Q", 10**9) + good[48:],
        "PE without signature": b"MZ"
        + b"\0" * 0x3A
        + struct.pack("<I", 0x40)
        + b"XX\0\0"
        + b"\0" * 64,
        "Mach-O load command overrun": b"\xcf\xfa\xed\xfe"
        + struct.pack("<iiIIIII", 0, 0, 2, 5, 10**6, 0, 0),
    }
    for name, data in cases.items():
        found, problems = catalog_bytes(data)
        assert found == set(), name
        assert len(problems) == 1 and problems[0].startswith("/bin/x: "), name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=8),
    st.sampled_from([(True, False), (False, True)]),
)
def test_mutated_headers_never_raise(
    edits: list[tuple[int, int]], shape: tuple[bool, bool]
) -> None:
    data = bytearray(pointer_format_elf(b"go1.16", MODINFO, wide=shape[0], big=shape[1]))
    for at, value in edits:
        data[at] = value
    catalog_bytes(bytes(data))


# --- pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toolchain", "version"),
    [
        ("go1.22.3", "v1.22.3"),
        ("go1.20", "v1.20.0"),
        ("go1.21rc2", "v1.21.0-rc.2"),
        ("go1.19beta1", "v1.19.0-beta.1"),
        ("go1.22.3 X:boringcrypto", "v1.22.3"),
        ("devel go1.23-e8ee1dc4f9 Tue Feb 13 19:29:44 2024 +0000", None),
    ],
)
def test_stdlib_version(toolchain: str, version: str | None) -> None:
    from seawall.catalog.lang.go.binary import stdlib_version

    assert stdlib_version(toolchain) == version


def test_modinfo_quoting_and_main_replacement() -> None:
    text = (
        "path\tex.com/a\n"
        "mod\tex.com/a\tv1.0.0\t\n"
        "=>\tex.com/b\tv2.0.0\th1:x\n"
        'build\t"odd key"="a\\tb\\x41\\u00e9"\n'
        "build\t-tags=`raw value`\n"
        "build\tGOOS=linux\n"
        "tail without newline is ignored"
    )
    info = parse_modinfo("go1.22.0", text)
    assert info.main is not None and info.main.replace is not None
    assert info.main.replace.path == "ex.com/b"
    assert info.settings == (("odd key", "a\tbAé"), ("-tags", "raw value"), ("GOOS", "linux"))
    with pytest.raises(ModInfoError, match="line 1"):
        parse_modinfo("go1.22.0", "dep\tonly-one-field\n")
    with pytest.raises(ModInfoError, match="build setting without '='"):
        parse_modinfo("go1.22.0", "build\tnoequals\n")


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("/usr/local/bin/kubectl", True),
        ("/app/server", True),
        ("/usr/bin/python3.11", True),
        ("/opt/tool/tool.exe", True),
        ("/usr/share/doc/foo/copyright", False),
        ("/proc/self/exe", False),
        ("/app/README", False),
        ("/app/config.yaml", False),
        ("/app/.env", False),
        ("/app/node_modules/@esbuild/linux-x64/bin/esbuild", True),
        ("/usr/lib/python3/dist-packages/foo/bar", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    assert GoBinaryCataloger().wants(path) is wanted
