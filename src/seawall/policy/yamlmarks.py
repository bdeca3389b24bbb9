"""YAML read into plain data together with where each value stands in the file.

Pydantic reports errors by location (`('rules', 0, 'vulnerability', 'severity')`);
users need a line. Composing the YAML node graph (PyYAML's `compose`, safe
loader) gives every node its start mark; converting the graph ourselves
records the mark of each location as it is built.

`validation_problems` turns a pydantic `ValidationError` into `FILE:LINE:COLUMN:
where: what` lines; policy files and `seawall.yaml` (seawall.settings) share it.

Hostile input: anchors and aliases are refused (a policy file has no use for
them, and expanding them is how "billion laughs" documents exhaust memory),
nesting is bounded, and only the YAML core types the safe loader resolves
are produced.
"""

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

Location = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class Mark:
    line: int
    """1-based."""
    column: int
    """1-based."""


class YamlShapeError(ValueError):
    """The text is not YAML seawall accepts; the message names the line."""


@dataclass(frozen=True, slots=True)
class MarkedDocument:
    data: Any
    marks: dict[Location, Mark]

    def mark_for(self, location: Location) -> Mark | None:
        """The mark of `location`, or of its nearest ancestor the document has."""
        for end in range(len(location), -1, -1):
            mark = self.marks.get(location[:end])
            if mark is not None:
                return mark
        return None


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def load_marked(text: str) -> MarkedDocument:
    """Parse one YAML document; raises YamlShapeError for bad YAML, aliases or deep nesting."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YamlShapeError(f"{where}not valid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlShapeError(f"not valid YAML: {error}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise YamlShapeError(f"nested deeper than {MAX_DEPTH} levels") from None
    marks: dict[Location, Mark] = {}
    if root is None:
        return MarkedDocument(None, marks)
    constructor = yaml.SafeLoader("")
    seen: set[int] = set()

    def convert(node: yaml.Node, location: Location) -> Any:
        if id(node) in seen:
            mark = _mark(node)
            raise YamlShapeError(
                f"line {mark.line}, column {mark.column}: YAML anchors and aliases are not allowed"
            )
        seen.add(id(node))
        if len(location) > MAX_DEPTH:
            raise YamlShapeError(f"line {_mark(node).line}: nested deeper than {MAX_DEPTH} levels")
        marks[location] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlShapeError(f"line {_mark(key_node).line}: mapping keys must be text")
                key = constructor.construct_object(key_node)
                if not isinstance(key, str | int):
                    key = str(key)
                if key in result:
                    raise YamlShapeError(f"line {_mark(key_node).line}: duplicate key {key!r}")
                result[key] = convert(value_node, (*location, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, (*location, index)) for index, item in enumerate(node.value)]
        try:
            return constructor.construct_object(node)
        except yaml.YAMLError as error:
            raise YamlShapeError(f"line {_mark(node).line}: {error}") from None
        except (ValueError, OverflowError):
            # A scalar YAML resolves to a type it then cannot build (`2026-13-01`
            # as a date): keep the text, and validation reports it at this line.
            return node.value

    return MarkedDocument(convert(root, ()), marks)


def dotted(location: Location) -> str:
    """`rules[1].vulnerability.epss`, for humans."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def validation_problems(source: str, document: MarkedDocument, error: ValidationError) -> list[str]:
    """One `SOURCE:LINE:COLUMN: where: what` line per pydantic error (at most
    `MAX_REPORTED_PROBLEMS`, then a count), each at the YAML node it is about."""
    problems = []
    for item in error.errors()[:MAX_REPORTED_PROBLEMS]:
        # pydantic adds the validator kind to locations of union members; keep real keys only.
        location: Location = tuple(
            part
            for part in item["loc"]
            if isinstance(part, int) or not part.startswith("function-")
        )
        mark = document.mark_for(location)
        place = f"{source}:{mark.line}:{mark.column}" if mark else source
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{place}: {dotted(location)}: {message}")
    if error.error_count() > MAX_REPORTED_PROBLEMS:
        problems.append(f"… and {error.error_count() - MAX_REPORTED_PROBLEMS} more")
    return problems


class UnreadableTextError(ValueError):
    """A YAML file that cannot be read as text; the message names the file and the problem."""


def read_text_bounded(path: Path, limit: int, what: str) -> str:
    """The file's text, refusing directories, more than `limit` bytes, and non-UTF-8."""
    try:
        with open(path, "rb") as handle:
            if stat.S_ISDIR(os.fstat(handle.fileno()).st_mode):
                raise UnreadableTextError(f"{path}: is a directory, not a {what}")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise UnreadableTextError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableTextError(f"{path}: is a directory, not a {what}") from None
    except OSError as error:
        raise UnreadableTextError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) > limit:
        raise UnreadableTextError(f"{path}: larger than {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableTextError(f"{path}: not UTF-8 text (byte {error.start})") from None
