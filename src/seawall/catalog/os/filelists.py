"""The file lists of installed distribution packages: which package put a path on disk.

dpkg records the paths every installed package unpacked in
`/var/lib/dpkg/info/<package>.list`, or `<package>:<arch>.list` for a
`Multi-Arch: same` package (dpkg(1), "Files"; deb(5)): one absolute path a
line, directories included, starting with `/.`. Nothing else is in the file.

Dependency-free on purpose: the catalogers' registry names these files in its
path hints, and the pipeline filters their lines while it reads a layer.

apk's file lists are lines of its installed database (apk.py), and rpm's are
arrays in each package's header inside its database (rpmheader.py): those
databases are single files, kept whole, so nothing here applies to them.
"""

DPKG_INFO = "/var/lib/dpkg/info/"
_LIST_SUFFIX = ".list"


def is_dpkg_file_list(path: str) -> bool:
    """True for `/var/lib/dpkg/info/<package>[:<arch>].list`."""
    if not path.startswith(DPKG_INFO) or not path.endswith(_LIST_SUFFIX):
        return False
    stem = path[len(DPKG_INFO) : -len(_LIST_SUFFIX)]
    return bool(stem) and "/" not in stem and not stem.startswith(":")


def dpkg_list_package(path: str) -> tuple[str, str | None]:
    """(package, architecture or None) a dpkg file list belongs to, from its name."""
    stem = path[len(DPKG_INFO) : -len(_LIST_SUFFIX)]
    name, _, arch = stem.partition(":")
    return name, arch or None


def list_lines(content: bytes) -> list[str]:
    """The absolute paths of a file list, decoded as the file views decode tar names."""
    # surrogateescape: a name that is not UTF-8 still compares equal to the
    # same bytes read from a tar member.
    text = content.decode("utf-8", "surrogateescape")
    return [line for line in text.split("\n") if line.startswith("/")]
