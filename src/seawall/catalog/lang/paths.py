"""Cheap path predicates of language catalogers, shared with the registry's path hints.

A cataloger's module is imported only when its hint admits a path
(`catalog.registry`), so a hint as wide as `*.txt` imports the requirements
parser, and with it `packaging`, for every Debian image (its documentation
holds `.txt` files). These predicates are the catalogers' own `wants`, kept
here, free of imports, so that the hints can be exact.
"""


def is_requirements_file(path: str) -> bool:
    """pip requirements and constraints files: `requirements.txt`, `requirements-dev.txt`,
    `dev-requirements.txt`, `constraints.txt`, and the `requirements/base.txt` layout."""
    parent, _, base = path.rpartition("/")
    if not base.endswith(".txt"):
        return False
    return "requirements" in base or "constraints" in base or parent.endswith("/requirements")


def is_conda_meta_record(path: str) -> bool:
    """A conda PrefixRecord: `<environment>/conda-meta/<name>-<version>-<build>.json`."""
    parent, _, base = path.rpartition("/")
    return base.endswith(".json") and parent.endswith("/conda-meta")
