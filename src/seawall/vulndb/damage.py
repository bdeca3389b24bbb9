"""A store file that cannot be read as the store it claims to be: one clear error naming it.

A store is validated when it is written, and read back as trusted data. A
file damaged since (a bad disk, a copy cut short, an edit by other means)
fails while it is read: SQLite finds a malformed page or text that is not
UTF-8, a zstd frame does not decompress, JSON does not parse, or decoded data
is not the shape the store writes. Reading functions of the store and the
writer turn each of those into `DamagedStoreError`, which names the file and
the problem in one bounded, printable line (never the damaged bytes
themselves) and says how to get a good store again.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import zstandard

from seawall.errors import InputError

DAMAGE: tuple[type[Exception], ...] = (
    sqlite3.Error,
    zstandard.ZstdError,
    ValueError,  # orjson's and UTF-8's decoding errors among them
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
)
"""What reading or decoding a damaged store's rows raises (SQLite's errors only
when `is_damage` says so)."""

_NOT_UTF8 = "Could not decode to UTF-8"

REPAIR = "delete it and run `seawall db update`, or rebuild it with `seawall db import --fresh`"

_PROBLEM_CHARACTERS = 160


class DamagedStoreError(InputError):
    """The store at `path` could not be read: `problem` says what failed (and `where`,
    when given: the record being read)."""

    def __init__(self, path: Path, error: BaseException, *, where: str | None = None) -> None:
        self.path = path
        self.problem = f"{where}: {problem(error)}" if where else problem(error)
        super().__init__(f"{path}: vulnerability database is damaged ({self.problem}); {REPAIR}")


def problem(error: BaseException) -> str:
    """`error` as one short printable line, without the stored text it may quote."""
    text = str(error).split("\n", 1)[0]
    # SQLite quotes the row: "Could not decode to UTF-8 column 'cve' with text '…'".
    text = text.split(" with text ", 1)[0]
    text = "".join(char if char.isprintable() else "?" for char in text)
    if len(text) > _PROBLEM_CHARACTERS:
        text = text[: _PROBLEM_CHARACTERS - 1] + "…"
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def is_damage(error: Exception) -> bool:
    """True when `error`, raised while a store is read, says the file is damaged.

    Of SQLite's errors only a malformed file (`SQLITE_CORRUPT…`, `SQLITE_NOTADB`)
    and a text column that is not UTF-8 (raised by Python's `sqlite3` while
    converting it) are; a full disk, a lock or a failed write are not the
    store's damage, and deleting the store would not help.
    """
    if not isinstance(error, sqlite3.Error):
        return isinstance(error, DAMAGE)
    name = getattr(error, "sqlite_errorname", None)
    if name is None:
        return str(error).startswith(_NOT_UTF8)
    return isinstance(name, str) and name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


@contextmanager
def damage_named(path: Path) -> Iterator[None]:
    """Raise `DamagedStoreError` naming `path` for what a damaged store raises inside."""
    try:
        yield
    except DAMAGE as error:
        if not is_damage(error):
            raise
        raise DamagedStoreError(path, error) from error


class _HasPath(Protocol):
    path: Path


_Store = TypeVar("_Store", bound=_HasPath)
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


def reads_store(
    method: Callable[Concatenate[_Store, _Params], _Result],
) -> Callable[Concatenate[_Store, _Params], _Result]:
    """Make a method of an object with a store `path` raise `DamagedStoreError` for what
    a damaged file raises while it reads."""

    @wraps(method)
    def reading(store: _Store, /, *args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        with damage_named(store.path):
            return method(store, *args, **kwargs)

    return reading
