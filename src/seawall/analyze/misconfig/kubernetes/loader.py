"""Multi-document YAML to plain values, keeping the line of every node, within limits.

PyYAML's safe composer builds a node graph (no object construction, no
tags beyond the core schema); this module turns the nodes into dicts, lists
and scalars itself so that it can (1) record each node's 1-based line under
its path (`("spec", "template", "spec", "containers", 0, "image")`) and
(2) bound the work: an alias is expanded each time it is used, so a
"billion laughs" document stops at `MAX_NODES`, a self-referencing alias at
`MAX_DEPTH`. Scalars are resolved by the YAML 1.1 core rules PyYAML's safe
loader uses (`true`, numbers, null), through its own constructor.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from seawall.model.files import Problem

MAX_DOCUMENTS = 1000
MAX_NODES = 200_000
"""Nodes per file, counting every expansion of an alias."""
MAX_DEPTH = 64

Path = tuple[str | int, ...]


class YamlLimitError(ValueError):
    """A document went over `MAX_NODES` or `MAX_DEPTH`."""


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value and the line of every node by path."""

    index: int
    value: object
    lines: dict[Path, int]

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest recorded ancestor."""
        while True:
            found = self.lines.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


class _Converter:
    def __init__(self) -> None:
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: Path, lines: dict[Path, int], depth: int) -> object:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlLimitError(f"more than {MAX_NODES} nodes (alias expansion included)")
        if depth > MAX_DEPTH:
            raise YamlLimitError(f"nested deeper than {MAX_DEPTH} levels")
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)  # resolve `<<` merge keys
            mapping: dict[str, object] = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, path, {}, depth + 1)
                if not isinstance(key, str | int | float | bool) or key is None:
                    continue  # Kubernetes keys are strings; others cannot matter
                text = str(key)
                mapping[text] = self.convert(value_node, (*path, text), lines, depth + 1)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [
                self.convert(item, (*path, index), lines, depth + 1)
                for index, item in enumerate(node.value)
            ]
        assert isinstance(node, yaml.ScalarNode)
        return self.constructor.construct_object(node, deep=False)


def load_documents(text: str, where: str) -> tuple[list[Document], list[Problem]]:
    """Every document of a YAML stream; a bad document is a problem, later ones still load.

    A syntax error ends the stream (the parser cannot resynchronise), keeping
    the documents before it.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    converter = _Converter()
    loader = yaml.SafeLoader(text)
    try:
        for index, node in enumerate(_nodes(loader)):
            if index >= MAX_DOCUMENTS:
                message = f"more than {MAX_DOCUMENTS} documents; the rest were skipped"
                problems.append(Problem(where, message))
                break
            if node is None:
                continue
            lines: dict[Path, int] = {}
            try:
                value = converter.convert(node, (), lines, 0)
            except YamlLimitError as error:
                problems.append(Problem(f"{where} document {index + 1}", str(error)))
                if converter.nodes > MAX_NODES:
                    break
                continue
            except yaml.YAMLError as error:
                problems.append(Problem(f"{where} document {index + 1}", _describe(error)))
                continue
            documents.append(Document(index, value, lines))
    except yaml.YAMLError as error:
        problems.append(Problem(where, _describe(error)))
    except RecursionError:
        problems.append(Problem(where, "nested too deeply to parse"))
    finally:
        loader.dispose()
    return documents, problems


def _nodes(loader: yaml.SafeLoader) -> Iterator[yaml.Node | None]:
    while loader.check_node():
        yield loader.get_node()


def _describe(error: yaml.YAMLError) -> str:
    """The parser's problem and position, without quoting the document's text."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        return f"not valid YAML: {error.problem} (line {error.problem_mark.line + 1})"
    return "not valid YAML"
