"""Distro detection (os-release and legacy release files) and the distro → OSV/purl mapping."""

from pathlib import Path

import pytest

from seawall.catalog.base import CatalogFile
from seawall.catalog.os.ecosystems import debian_release, os_identity
from seawall.catalog.os.release import OsRelease, detect_distro, parse_os_release
from seawall.model.package import Distro, Ecosystem


def detect(files: dict[str, bytes]) -> Distro | None:
    return OsRelease().detect([CatalogFile(path, content) for path, content in files.items()])


def test_this_machines_os_release() -> None:
    path = Path("/etc/os-release")
    if not path.is_file():
        pytest.skip("no /etc/os-release here")
    values = parse_os_release(path.read_bytes())
    distro = detect({"/etc/os-release": path.read_bytes()})
    assert distro is not None
    assert distro.id == values["ID"]
    assert distro.version_id == values.get("VERSION_ID")


def test_os_release_syntax() -> None:
    text = (
        b"\xef\xbb\xbf# a comment\n"
        b'NAME="Fancy \\"Quoted\\" Linux"\n'
        b"ID=fancy\n"
        b"ID_LIKE='debian ubuntu'\n"
        b'PRETTY_NAME="Fancy \\$HOME \\`x\\` \\\\ \\n"\n'
        b"VERSION_ID=1.2 # trailing comment\n"
        b"VARIANT=a\\ b\n"
        b"  INDENTED=yes  \n"
        b"not a line\n"
        b"9BAD=key\n"
        b"EMPTY=\n"
    )
    assert parse_os_release(text) == {
        "NAME": 'Fancy "Quoted" Linux',
        "ID": "fancy",
        "ID_LIKE": "debian ubuntu",
        "PRETTY_NAME": "Fancy $HOME `x` \\ \\n",
        "VERSION_ID": "1.2",
        "VARIANT": "a b",
        "INDENTED": "yes",
        "EMPTY": "",
    }


DEBIAN_12 = b"""PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
"""
DEBIAN_TESTING = b"""PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
"""
DISTROLESS = b"""PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
"""
UBUNTU_2204 = b"""PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
"""
UBUNTU_2310 = b'NAME="Ubuntu"\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"\nID=ubuntu\n'
ALPINE = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
RHEL = (
    b'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\n'
    b'VERSION_ID="9.4"\n'
)
ROCKY = b'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'
ALMA = b'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'
SLES = (
    b'NAME="SLES"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n'
    b'ID="sles"\nID_LIKE="suse"\n'
)
LEAP = (
    b'NAME="openSUSE Leap"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n'
    b'ID="opensuse-leap"\nID_LIKE="suse opensuse"\n'
)
WOLFI = b'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n'
CHAINGUARD = b'ID=chainguard\nNAME="Chainguard"\nVERSION_ID="20230214"\n'
FEDORA = b'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n'


@pytest.mark.parametrize(
    ("files", "fmt", "ecosystem", "osv", "namespace", "distro_qualifier"),
    [
        (
            {"/etc/os-release": DEBIAN_12},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:12",
            "debian",
            "debian-12",
        ),
        (
            {"/etc/os-release": DEBIAN_TESTING, "/etc/debian_version": b"trixie/sid\n"},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:13",
            "debian",
            "debian",
        ),
        (
            {"/usr/lib/os-release": DISTROLESS},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:12",
            "debian",
            "debian-12",
        ),
        (
            {"/etc/os-release": UBUNTU_2204},
            "deb",
            Ecosystem.UBUNTU,
            "Ubuntu:22.04:LTS",
            "ubuntu",
            "ubuntu-22.04",
        ),
        (
            {"/etc/os-release": UBUNTU_2310},
            "deb",
            Ecosystem.UBUNTU,
            "Ubuntu:23.10",
            "ubuntu",
            "ubuntu-23.10",
        ),
        (
            {"/etc/os-release": ALPINE},
            "apk",
            Ecosystem.ALPINE,
            "Alpine:v3.20",
            "alpine",
            "alpine-3.20.3",
        ),
        (
            {"/etc/alpine-release": b"3.19.1\n"},
            "apk",
            Ecosystem.ALPINE,
            "Alpine:v3.19",
            "alpine",
            "alpine-3.19.1",
        ),
        (
            {"/etc/os-release": RHEL},
            "rpm",
            Ecosystem.RED_HAT,
            "Red Hat:enterprise_linux:9",
            "redhat",
            "rhel-9.4",
        ),
        ({"/etc/os-release": ROCKY}, "rpm", Ecosystem.ROCKY, "Rocky Linux:9", "rocky", "rocky-9.4"),
        (
            {"/etc/os-release": ALMA},
            "rpm",
            Ecosystem.ALMA,
            "AlmaLinux:9",
            "almalinux",
            "almalinux-9.4",
        ),
        (
            {"/etc/os-release": SLES},
            "rpm",
            Ecosystem.SUSE,
            "SUSE:SUSE Linux Enterprise Server 15 SP5",
            "suse",
            "sles-15.5",
        ),
        (
            {"/etc/os-release": LEAP},
            "rpm",
            Ecosystem.OPENSUSE,
            "openSUSE:openSUSE Leap 15.5",
            "opensuse",
            "opensuse-leap-15.5",
        ),
        ({"/etc/os-release": WOLFI}, "apk", Ecosystem.WOLFI, "Wolfi", "wolfi", "wolfi-20230201"),
        (
            {"/etc/os-release": CHAINGUARD},
            "apk",
            Ecosystem.CHAINGUARD,
            "Chainguard",
            "chainguard",
            "chainguard-20230214",
        ),
        # No OSV ecosystem for Fedora: the format's default, with no release to match by.
        ({"/etc/os-release": FEDORA}, "rpm", Ecosystem.RED_HAT, "Red Hat", "fedora", "fedora-40"),
        (
            {"/etc/redhat-release": b"Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"},
            "rpm",
            Ecosystem.RED_HAT,
            "Red Hat:enterprise_linux:7",
            "redhat",
            "rhel-7.9",
        ),
        (
            {
                "/etc/centos-release": b"CentOS Linux release 7.9.2009 (Core)\n",
                "/etc/redhat-release": b"CentOS Linux release 7.9.2009 (Core)\n",
            },
            "rpm",
            Ecosystem.RED_HAT,
            "Red Hat",
            "centos",
            "centos-7.9.2009",
        ),
        (
            {"/etc/debian_version": b"11.9\n"},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:11",
            "debian",
            "debian-11.9",
        ),
        (
            {"/etc/debian_version": b"6.0.10\n"},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:6.0",
            "debian",
            "debian-6.0.10",
        ),
        (
            {"/etc/debian_version": b"bookworm/sid\n"},
            "deb",
            Ecosystem.DEBIAN,
            "Debian:12",
            "debian",
            "debian",
        ),
    ],
)
def test_distro_to_ecosystem_and_purl_parts(
    files: dict[str, bytes],
    fmt: str,
    ecosystem: Ecosystem,
    osv: str,
    namespace: str,
    distro_qualifier: str,
) -> None:
    distro = detect(files)
    assert distro is not None
    identity = os_identity(distro, fmt)  # type: ignore[arg-type]
    assert identity.ecosystem is ecosystem
    full = f"{identity.ecosystem.value}:{identity.release}" if identity.release else ecosystem.value
    assert full == osv
    assert identity.purl_namespace == namespace
    assert identity.purl_distro == distro_qualifier


def test_etc_os_release_wins_over_usr_lib() -> None:
    distro = detect({"/etc/os-release": ALPINE, "/usr/lib/os-release": DEBIAN_12})
    assert distro is not None and distro.id == "alpine"


def test_os_release_without_id_falls_back_to_legacy_files() -> None:
    distro = detect({"/etc/os-release": b"NAME=x\n", "/etc/alpine-release": b"3.18.0\n"})
    assert distro == Distro(id="alpine", version_id="3.18.0")
    # With nothing else, os-release(5)'s default ID applies.
    assert detect({"/etc/os-release": b"NAME=x\n"}) == Distro(
        id="linux", version_id=None, id_like=()
    )


def test_ubuntu_lts_rule_without_version() -> None:
    for version_id, release in (("24.04", "24.04:LTS"), ("23.04", "23.04"), ("22.10", "22.10")):
        identity = os_identity(Distro(id="ubuntu", version_id=version_id), "deb")
        assert identity.release == release


def test_nothing_known_is_no_distro_and_default_identity() -> None:
    assert detect({}) is None
    assert detect({"/etc/redhat-release": b"garbage\x00\xff"}) is None
    identity = os_identity(None, "apk")
    assert (
        identity.ecosystem,
        identity.release,
        identity.purl_namespace,
        identity.purl_distro,
    ) == (
        Ecosystem.ALPINE,
        None,
        "alpine",
        None,
    )


def test_debian_release_names() -> None:
    assert debian_release("12", None) == "12"
    assert debian_release("10.13", None) == "10"
    assert debian_release("5.0.10", None) == "5.0"
    assert debian_release(None, "sid") == "sid"
    assert debian_release(None, "nonsense") is None


def test_detect_distro_takes_any_lookup(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_bytes(ROCKY)

    def lookup(path: str) -> CatalogFile | None:
        file = tmp_path / path.lstrip("/")
        return CatalogFile(path, file.read_bytes()) if file.is_file() else None

    distro = detect_distro(lookup)
    assert distro is not None and (distro.id, distro.id_like) == (
        "rocky",
        ("rhel", "centos", "fedora"),
    )


def test_wants_only_release_files() -> None:
    release = OsRelease()
    assert release.wants("/etc/os-release") and release.wants("/etc/debian_version")
    assert not release.wants("/etc/lsb-release") and not release.wants("/x/etc/os-release")
