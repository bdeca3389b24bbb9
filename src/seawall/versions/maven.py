"""Maven versions, ordered exactly as Maven's `ComparableVersion` (maven-artifact 3.8).

Follows org.apache.maven.artifact.versioning.ComparableVersion: the lowercased
version is cut at `.` and `-` and at every switch between digits and
non-digits; a `-` or a digit/letter switch opens a nested list. Numbers
compare numerically; words are qualifiers ordered alpha < beta < milestone <
rc (= cr) < snapshot < "" (= ga = final = release) < sp < any other word,
other words alphabetically after all the known ones; `a1`, `b1`, `m1` mean
alpha-1, beta-1, milestone-1. Trailing "null" items (0, "", ga, final,
release, empty lists) are dropped from each list. Items of different kinds
compare as number > list > word. An empty item before a separator is 0. A
word that follows other items of its list (`1.0.X1`, a trailing `1.foo`)
opens a nested list first, so `.X` sorts as `-X` (maven-artifact 3.8.7, as
its bytecode shows; 3.9 changed other details, so the table is tied to 3.8.7).
"""

from functools import total_ordering

from seawall.versions.errors import check_text

ECOSYSTEM = "Maven"

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE_INDEX = str(_QUALIFIERS.index("")).encode("utf-16-be")
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}

# Item kinds, in the order "1.1 > 1-1 > 1-sp" (number > list > word).
_WORD, _LIST, _NUMBER = 0, 1, 2


def _comparable_qualifier(word: str) -> bytes:
    # ComparableVersion compares this string ("7-zeta" > "6"), as Java
    # compares strings: by UTF-16 code unit, which big-endian bytes keep.
    text = str(_QUALIFIERS.index(word)) if word in _QUALIFIERS else f"{len(_QUALIFIERS)}-{word}"
    return text.encode("utf-16-be", "surrogatepass")


class _Item:
    __slots__ = ("kind", "value")

    def __init__(self, kind: int, value: "int | bytes | list[_Item]") -> None:
        self.kind = kind
        self.value = value

    def is_null(self) -> bool:
        if self.kind == _NUMBER:
            return self.value == 0
        if self.kind == _WORD:
            return self.value == _RELEASE_INDEX
        return not self.value


def _word(text: str, followed_by_digit: bool) -> _Item:
    if followed_by_digit and len(text) == 1:
        text = _SHORT.get(text, text)
    return _Item(_WORD, _comparable_qualifier(_ALIASES.get(text, text)))


def _java_digit(char: str) -> bool:
    # Character.isDigit on a UTF-16 unit: decimal digits of the BMP.
    return char.isdecimal() and ord(char) < 0x10000


def _parse_item(is_digit: bool, text: str) -> _Item:
    # Integer/Long/BigInteger items all compare by numeric value.
    return _Item(_NUMBER, int(text)) if is_digit else _word(text, False)


def _normalize(items: "list[_Item]") -> None:
    # ListItem.normalize(): drop null items from the end, looking past
    # trailing lists (which are themselves normalized first).
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if item.is_null():
            del items[i]
        elif item.kind != _LIST:
            break


def _cmp_null(item: _Item) -> int:
    # item.compareTo(null): how an item compares with a missing one.
    if item.kind == _NUMBER:
        return 0 if item.value == 0 else 1
    if item.kind == _WORD:
        assert isinstance(item.value, bytes)
        return (item.value > _RELEASE_INDEX) - (item.value < _RELEASE_INDEX)
    assert isinstance(item.value, list)
    return next((r for r in map(_cmp_null, item.value) if r), 0)


def _cmp(a: _Item, b: _Item) -> int:
    if a.kind != b.kind:
        return 1 if a.kind > b.kind else -1
    if a.kind == _LIST:
        assert isinstance(a.value, list) and isinstance(b.value, list)
        for left, right in zip(a.value, b.value, strict=False):
            result = _cmp(left, right)
            if result:
                return result
        if len(a.value) > len(b.value):
            return next((r for r in map(_cmp_null, a.value[len(b.value) :]) if r), 0)
        if len(b.value) > len(a.value):
            return -next((r for r in map(_cmp_null, b.value[len(a.value) :]) if r), 0)
        return 0
    return (a.value > b.value) - (a.value < b.value)  # type: ignore[operator]


def _parse(version: str) -> _Item:
    text = version.lower()
    root: list[_Item] = []
    current = root
    stack = [root]
    is_digit = False
    start = 0

    def open_list() -> list[_Item]:
        nested: list[_Item] = []
        current.append(_Item(_LIST, nested))
        stack.append(nested)
        return nested

    for i, char in enumerate(text):
        if char in ".-":
            current.append(
                _Item(_NUMBER, 0) if i == start else _parse_item(is_digit, text[start:i])
            )
            start = i + 1
            if char == "-":
                current = open_list()
        elif _java_digit(char):
            if not is_digit and i > start:
                # "1.0.0.X1 < 1.0.0-X2": a word inside a list opens a list.
                if current:
                    current = open_list()
                current.append(_word(text[start:i], True))
                start = i
                current = open_list()
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(_parse_item(True, text[start:i]))
                start = i
                current = open_list()
            is_digit = False
    if len(text) > start:
        if not is_digit and current:
            current = open_list()
        current.append(_parse_item(is_digit, text[start:]))
    while stack:
        _normalize(stack.pop())
    return _Item(_LIST, root)


@total_ordering
class MavenVersion:
    """A parsed Maven version; orders as ComparableVersion.compareTo."""

    __slots__ = ("_root",)

    def __init__(self, root: _Item) -> None:
        self._root = root

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavenVersion):
            return NotImplemented
        return _cmp(self._root, other._root) == 0

    def __lt__(self, other: "MavenVersion") -> bool:
        return _cmp(self._root, other._root) < 0

    __hash__ = None  # type: ignore[assignment]


def parse(version: str) -> MavenVersion:
    """Parse a Maven version. Any non-blank string is a Maven version."""
    check_text(ECOSYSTEM, version)
    return MavenVersion(_parse(version))
