"""Does a variable name say it holds a credential? (`DB_PASSWORD` yes, `PWD` no.)

A name heuristic, used for ENV/ARG in Dockerfiles, the image config's Env and
Kubernetes env literals. It judges names only: values are never inspected,
logged or returned. The secret engine (`seawall.analyze.secrets`) finds
credentials by their content; the two meet in the pipeline, not here.

A name is split into words at `_`, `-`, `.` and lower-to-upper case changes;
it is secret-like when a word is a credential word (`PASSWORD`, `SECRET`,
`TOKEN` …) or two adjacent words form one (`API KEY`, `PRIVATE KEY`). Words
are whole words, so `TOKENIZERS_PARALLELISM` and `PASSENGER_ROOT` do not match.
Names that say they hold a location rather than the secret (`…_FILE`,
`…_PATH`, `…_DIR`) do not match either.
"""

import itertools
import re

_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATEKEY",
    }
)
_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("SECRET", "KEY"),
        ("SIGNING", "KEY"),
        ("ENCRYPTION", "KEY"),
        ("AUTH", "KEY"),
        ("CLIENT", "SECRET"),
    }
)
_LOCATION_SUFFIXES = frozenset({"FILE", "PATH", "DIR", "FILENAME", "LOCATION", "REF", "NAME"})
_SPLIT = re.compile(r"[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])")


def name_words(name: str) -> list[str]:
    """`dbPassword_FILE` -> `["DB", "PASSWORD", "FILE"]`."""
    return [word.upper() for word in _SPLIT.split(name) if word]


def is_secret_name(name: str) -> bool:
    """True when `name` reads like a variable holding a credential."""
    words = name_words(name)
    if not words or words[-1] in _LOCATION_SUFFIXES:
        return False
    if any(word in _WORDS for word in words):
        return True
    return any(pair in _PAIRS for pair in itertools.pairwise(words))


def is_reference(value: str) -> bool:
    """True for values that point at a secret rather than hold one.

    A variable reference (`$X`, `${X}`) or a path (`/run/secrets/db`).
    """
    stripped = value.strip()
    return stripped.startswith(("$", "/")) and " " not in stripped


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact_url(url: str) -> str:
    """`https://user:token@host/x` -> `https://***@host/x`: credentials in URLs are never shown."""
    return _USERINFO.sub("***@", url)
