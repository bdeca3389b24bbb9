"""Bounded decoding of untrusted lockfile documents (JSON, TOML, YAML) into plain values.

Every decoder raises `DocumentError` with a short message (no document
content, which may hold credentials) instead of letting a parser's own
exception escape. Nesting is bounded: JSON and TOML parsers recurse and stop
with RecursionError, which is turned into a DocumentError; YAML is built here
from libyaml's event stream, iteratively, with an explicit depth limit and no
alias support at all (aliases are what billion-laughs documents expand, and no
lockfile writer emits them).
"""

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# yaml and tomllib are imported by the decoders that use them: every cataloger
# imports this module for DocumentError, and most runs parse neither (~30 ms).

MAX_YAML_DEPTH = 64
"""Lockfiles nest a handful of levels; anything deeper is hostile."""

_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_TRUE = frozenset({"true", "True", "TRUE"})
_YAML_FALSE = frozenset({"false", "False", "FALSE"})


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
"""A `\\uD800`-`\\uDFFF` escape: half of a pair (fine) or a lone surrogate (not text)."""


class DocumentError(ValueError):
    """A document could not be decoded; the message says why, never what it held."""


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), strictly."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def load_json(content: bytes) -> Any:
    """Parse a JSON document."""
    text = decode_text(content)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise DocumentError("invalid JSON: nested too deeply") from None
    except ValueError as exc:
        # e.g. an integer literal longer than int_max_str_digits
        raise DocumentError(f"invalid JSON: {exc}") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(document)
    return document


def _refuse_lone_surrogates(document: Any) -> None:
    """DocumentError if a string holds a lone surrogate, which no Unicode text can.

    json accepts `"\\ud800"` unpaired (RFC 8259 §8.2 leaves such strings'
    behaviour unpredictable); a name holding one can be neither percent-encoded
    in a purl nor written to a UTF-8 report, so the document is refused here.
    Only documents holding a surrogate escape are checked (pairs are common in
    escaped emoji, lone ones never in a lockfile a tool wrote).
    """
    todo = [document]
    while todo:  # iteratively: the document may nest as deep as json allows
        value = todo.pop()
        if isinstance(value, dict):
            todo.extend(value)
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise DocumentError(
                    "invalid JSON: a string holds an unpaired surrogate escape"
                ) from None


def load_json_object(content: bytes, kind: str) -> dict[str, Any]:
    """Parse a JSON document whose top level must be an object; `kind` names it in the error."""
    document = load_json(content)
    if not isinstance(document, dict):
        raise DocumentError(f"not a {kind} (top level is not an object)")
    return document


def _brief(message: str) -> str:
    """A parser's message cut in the middle when long: tomllib quotes whole keys
    (`Cannot declare ('…',) twice`), and ends with the line and column."""
    if len(message) <= 200:
        return message
    return f"{message[:100]}…{message[-60:]}"


def load_toml(content: bytes) -> dict[str, Any]:
    """Parse a TOML document (TOML 1.0, via tomllib)."""
    import tomllib

    text = decode_text(content)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(f"invalid TOML: {_brief(str(exc))}") from None
    except RecursionError:
        raise DocumentError("invalid TOML: nested too deeply") from None
    except ValueError as exc:
        raise DocumentError(f"invalid TOML: {exc}") from None


def load_yaml_documents(content: bytes) -> list[Any]:
    """Parse every document of a YAML stream into dicts, lists, strings, booleans and None.

    Scalars stay strings (a lockfile's `5.4` is a version label, not a float);
    only plain `null`/`~`/empty and `true`/`false` are resolved, as the YAML
    1.2 core schema does. Mapping keys are always strings.
    """
    import yaml

    # libyaml's parser when the wheel ships it, the pure-Python one otherwise;
    # both are safe loaders (no arbitrary object construction).
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = decode_text(content)
    documents: list[Any] = []
    # Each frame: [container, pending mapping key or None]; lists for mutability.
    stack: list[list[Any]] = []
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise DocumentError("YAML aliases are not accepted in lockfiles")
            if isinstance(event, yaml.ScalarEvent):
                _yaml_add(stack, documents, _yaml_scalar(event), event.value)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if len(stack) >= MAX_YAML_DEPTH:
                    raise DocumentError(f"YAML nested deeper than {MAX_YAML_DEPTH} levels")
                container: dict[str, Any] | list[Any] = (
                    {} if isinstance(event, yaml.MappingStartEvent) else []
                )
                _yaml_add(stack, documents, container, None)
                stack.append([container, None])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DocumentError(f"invalid YAML: {problem}{where}") from None
    return documents


def _yaml_scalar(event: "yaml.ScalarEvent") -> Any:
    value: str = event.value
    if event.style is None and event.tag is None:
        if value in _YAML_NULLS:
            return None
        if value in _YAML_TRUE:
            return True
        if value in _YAML_FALSE:
            return False
    return value


def _yaml_add(stack: list[list[Any]], documents: list[Any], value: Any, raw: str | None) -> None:
    """Place a finished node into its parent (or make it a document)."""
    if not stack:
        documents.append(value)
        return
    frame = stack[-1]
    parent = frame[0]
    if isinstance(parent, list):
        parent.append(value)
    elif frame[1] is None:
        if raw is None:
            raise DocumentError("YAML mapping key is not a scalar")
        frame[1] = raw
    else:
        parent[frame[1]] = value
        frame[1] = None
