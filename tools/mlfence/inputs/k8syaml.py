"""YAML read the way the Kubernetes API server and kubectl read it.

kubectl splits a stream into documents on lines that start with `---`
(k8s.io/apimachinery/pkg/util/yaml.YAMLReader) and turns each piece into JSON with
sigs.k8s.io/yaml.YAMLToJSON, which decodes with go.yaml.in/yaml/v2 (YAML 1.1) into Go
interfaces and then marshals them with encoding/json. The rules judge that JSON, so this
module reproduces it: libyaml (PyYAML's C parser) supplies the events, and the resolution of
plain scalars, tags, merge keys, duplicate keys, map keys and alias limits follows
go.yaml.in/yaml/v2 v2.4.3 (resolve.go, decode.go; as in v2.4.2) and sigs.k8s.io/yaml v1.6.0 (yaml.go).
tests/test_inputs_yaml.py compares the result with that Go code (tests/oracles/k8syaml).
PyYAML's own resolver is YAML 1.1 too, but disagrees on values that matter: `y`/`n` are
strings to it and booleans to Kubernetes, `09` is a string to it and 9 to Kubernetes, and a
merge key overrides the keys before it in Kubernetes but not in PyYAML.
"""

from __future__ import annotations

import base64
import codecs
import math
import re
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml import _yaml as libyaml

from mlfence.inputs.errors import InputError
from mlfence.inputs.limits import MAX_DEPTH, MAX_EXPANDED_BYTES

_PREFIX = "tag:yaml.org,2002:"
STR, BOOL, INT, FLOAT, NULL = (_PREFIX + t for t in ("str", "bool", "int", "float", "null"))
TIMESTAMP, BINARY, MERGE = (_PREFIX + t for t in ("timestamp", "binary", "merge"))
_RESOLVABLE = {"", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP}

# resolve.go's table of plain scalars with a fixed meaning.
_FIXED: dict[str, tuple[str, Any]] = {}
for _words, _value, _tag in (
    ("y Y yes Yes YES true True TRUE on On ON", True, BOOL),
    ("n N no No NO false False FALSE off Off OFF", False, BOOL),
    ("~ null Null NULL", None, NULL),
    (".nan .NaN .NAN", math.nan, FLOAT),
    (".inf .Inf .INF +.inf +.Inf +.INF", math.inf, FLOAT),
    ("-.inf -.Inf -.INF", -math.inf, FLOAT),
):
    for _word in _words.split():
        _FIXED[_word] = (_tag, _value)
_FIXED[""] = (NULL, None)
_FIXED["<<"] = (MERGE, "<<")

_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# Go's strconv.ParseInt(s, 0, 64) syntax once yaml.v2 has removed the underscores.
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)")
# Go's ParseFloat also takes hexadecimal floats, Inf, NaN, Infinity: only the forms yaml.v2
# can reach (a '.' first, or a string matching _YAML_FLOAT) matter here.
_GO_FLOAT_DOT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
# The layouts yaml.v2's parseTimestamp tries with time.Parse (month, day, hour, minute and second
# may have one digit; the fraction needs a digit; the zone is Z or +hh:mm).
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2}))"
    r"|( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?))?"
)
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1

# decode.go's alias limits, so a YAML "billion laughs" fails here exactly when it fails there.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000


def _allowed_alias_ratio(decodes: int) -> float:
    if decodes <= _ALIAS_RATIO_LOW:
        return 0.99
    if decodes >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decodes - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


@dataclass(frozen=True)
class Parsed:
    """One document of a stream: its JSON value, or the error that stopped it, and its first line."""

    line: int
    value: Any = None
    error: InputError | None = None


# Nodes, as compact tuples (a big manifest has millions of them):
# ("s", tag, value, plain_implicit, line) | ("q", children, line) | ("m", [k, v, k, v...], line)
# | ("a", name, target, line)
Node = tuple[Any, ...]


def split_documents(text: str) -> Iterator[tuple[int, str | InputError]]:
    """(first line number, text) of each piece kubectl's YAMLReader would hand to YAMLToJSON.

    A line starting with `---` ends the piece being collected and is dropped; when no piece is
    being collected it starts the next one (it is a harmless document start marker there). A
    `---` followed by anything but blanks or a comment is refused by kubectl: here it is an
    error in its place, and the pieces around it are still read."""
    start, piece = 1, list[str]()
    for number, line in enumerate(_lines(text), start=1):
        if line.startswith("---"):
            rest = _go_trim(line[3:])
            if rest and not rest.startswith("#"):
                if piece:
                    yield start, "".join(piece)
                yield (
                    number,
                    InputError(f"invalid YAML document separator (kubectl refuses it): {line.strip()[:40]}", number),
                )
                start, piece = number + 1, []
                continue
            if piece:
                yield start, "".join(piece)
                start, piece = number + 1, []
                continue
        if not piece:
            start = number
        piece.append(line)
    if piece:
        yield start, "".join(piece)


def _go_trim(text: str) -> str:
    """strings.TrimSpace: Go's idea of white space (unicode.IsSpace), not Python's."""

    def space(c: str) -> bool:
        return c in " \t\n\v\f\r\x85\xa0" or unicodedata.category(c) in ("Zs", "Zl", "Zp")

    begin, end = 0, len(text)
    while begin < end and space(text[begin]):
        begin += 1
    while end > begin and space(text[end - 1]):
        end -= 1
    return text[begin:end]


def _lines(text: str) -> Iterator[str]:
    """Lines ending at "\n" only, as kubectl's LineReader reads them (str.splitlines would also
    end lines at \f, \x85, \u2028..., and so find separators kubectl does not)."""
    begin = 0
    while begin < len(text):
        end = text.find("\n", begin)
        end = len(text) if end < 0 else end + 1
        yield text[begin:end]
        begin = end


def load_stream(text: str) -> Iterator[Parsed]:
    """Every document of a YAML stream, in order; a broken document is an error of its own and
    the documents after it are still read."""
    for start, piece in split_documents(text):
        if isinstance(piece, InputError):
            yield Parsed(start, error=piece)
            continue
        try:
            found = load_one(piece)
        except InputError as exc:
            line = start + max(exc.line, 1) - 1
            yield Parsed(line, error=InputError(exc.message, line))
            continue
        if found is not None and found[1] is not None:  # kubectl skips empty (null) documents
            yield Parsed(start + found[0] - 1, found[1])


def load_one(text: str) -> tuple[int, Any] | None:
    """(line, JSON value) of the first document in `text` as YAMLToJSON converts it; None when
    there is no document. Raises InputError with the line (counted from 1 in `text`)."""
    try:
        return _load_plain(text)  # most manifests: one pass, the same values (see _load_plain)
    except _NotPlain:
        return load_full(text)


def load_full(text: str) -> tuple[int, Any] | None:
    """load_one through the node graph and Go map: every document, every error."""
    root = _compose(text)
    if root is None:
        return None
    decoder = _Decoder()
    try:
        value = decoder.value(root, 0)
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", root[-1] + 1) from None
    return root[-1] + 1, value


def _compose(text: str) -> Node | None:
    """The first document's node graph, from libyaml's events (anchors shared, not copied)."""
    parser = libyaml.CParser(text)
    try:
        return _compose_events(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(f"not valid YAML: {exc.problem or exc.context or exc}", mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}") from None
    finally:
        parser.dispose()


def _compose_events(parser: Any) -> Node | None:
    event = parser.get_event()  # StreamStart
    event = parser.get_event()
    if isinstance(event, yaml.StreamEndEvent):
        return None
    anchors: dict[str, Node] = {}
    # A stack of open collections: [kind, children, line]; the root is collected in `done`.
    stack: list[list[Any]] = []
    done: list[Node] = []
    while True:
        event = parser.get_event()
        line = event.start_mark.line
        if isinstance(event, yaml.ScalarEvent):
            node: Node = ("s", event.tag or "", event.value, event.implicit[0], line)
            anchor = event.anchor
        elif isinstance(event, yaml.AliasEvent):
            target = anchors.get(event.anchor or "")
            if target is None:
                raise InputError(f"unknown anchor '{event.anchor}' referenced", line + 1)
            node, anchor = ("a", event.anchor, target, line), None
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise InputError(f"nested deeper than {MAX_DEPTH} levels", line + 1)
            children: list[Node] = []
            kind = "m" if isinstance(event, yaml.MappingStartEvent) else "q"
            stack.append([kind, children, line])
            if event.anchor is not None:
                # Registered before the children, as yaml.v2 does, so an alias to an enclosing
                # node is found (and refused when decoded: it contains itself).
                anchors[event.anchor] = (kind, children, line)
            continue
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            kind, children, start = stack.pop()
            node, anchor = (kind, children, start), None
        elif isinstance(event, yaml.DocumentEndEvent):
            return done[0] if done else None
        else:
            raise InputError(f"unexpected YAML event {type(event).__name__}", line + 1)
        if anchor is not None:
            anchors[anchor] = node
        if stack:
            stack[-1][1].append(node)
        else:
            done.append(node)


class _Decoder:
    """yaml.v2's decoder into interface{} followed by sigs.k8s.io/yaml's JSON conversion."""

    def __init__(self) -> None:
        self.decodes = 1  # yaml.v2 counts the document node too
        self.alias_decodes = 0
        self.alias_depth = 0
        self.active_aliases: set[int] = set()
        self.expanded_bytes = 0

    def _count(self, node: Node) -> None:
        self.decodes += 1
        if self.alias_depth:
            self.alias_decodes += 1
        if (
            self.alias_decodes > 100
            and self.decodes > 1000
            and self.alias_decodes / self.decodes > _allowed_alias_ratio(self.decodes)
        ):
            raise InputError("document contains excessive aliasing (a YAML alias bomb?)", node[-1] + 1)

    def value(self, node: Node, depth: int) -> Any:
        return _to_json(self.go_value(node, depth), node)

    def go_value(self, node: Node, depth: int) -> Any:
        """The value yaml.v2 would store in an interface{}: maps are _GoMap until converted."""
        self._count(node)
        kind = node[0]
        if kind == "a":
            return self._alias(node, depth, self.go_value)
        if kind == "s":
            value = scalar(node[1], node[2], node[3], node[4] + 1)
            if isinstance(value, str):
                self.expanded_bytes += len(value)
                if self.expanded_bytes > MAX_EXPANDED_BYTES:
                    raise InputError(
                        f"document expands to more than {MAX_EXPANDED_BYTES} bytes of text (aliases of long values?)",
                        node[-1] + 1,
                    )
            return value
        if depth >= MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels", node[-1] + 1)
        if kind == "q":
            return [self.go_value(child, depth + 1) for child in node[1]]
        mapping = _GoMap()
        self._fill(mapping, node, depth)
        return mapping

    def _alias(self, node: Node, depth: int, then: Any) -> Any:
        if id(node) in self.active_aliases:
            raise InputError(f"anchor '{node[1]}' value contains itself", node[-1] + 1)
        self.active_aliases.add(id(node))
        self.alias_depth += 1
        try:
            return then(node[2], depth)
        finally:
            self.alias_depth -= 1
            self.active_aliases.discard(id(node))

    def _fill(self, mapping: _GoMap, node: Node, depth: int) -> None:
        """decode.go's mapping(): pairs in order, later keys replace earlier ones, and a merge
        key writes its mapping(s) into this one at that point (so it overrides earlier keys)."""
        children = node[1]
        for i in range(0, len(children), 2):
            key, val = children[i], children[i + 1]
            if key[0] == "s" and key[2] == "<<" and (key[3] or key[1] == MERGE):
                self._merge(mapping, val, depth)
                continue
            k = self.go_value(key, depth + 1)
            if isinstance(k, (list, _GoMap)):
                raise InputError("invalid map key: a mapping or sequence", key[-1] + 1)
            mapping.set(k, self.go_value(val, depth + 1), key[-1] + 1)

    def _merge(self, mapping: _GoMap, node: Node, depth: int) -> None:
        def into(target: Node, d: int) -> None:
            self._count(target)
            self._fill(mapping, target, d)

        if node[0] == "m":
            into(node, depth)
        elif node[0] == "a" and node[2][0] == "m":
            self._count(node)
            self._alias(node, depth, into)
        elif node[0] == "q":
            # Step backwards: earlier mappings in the list take precedence (decode.go).
            for item in reversed(node[1]):
                if item[0] == "m":
                    into(item, depth)
                elif item[0] == "a" and item[2][0] == "m":
                    self._count(item)
                    self._alias(item, depth, into)
                else:
                    raise InputError("map merge requires map or sequence of maps as the value", item[-1] + 1)
        else:
            raise InputError("map merge requires map or sequence of maps as the value", node[-1] + 1)


class _GoMap:
    """A Go map[interface{}]interface{}: keys of different types stay apart (1 and "1")."""

    __slots__ = ("items", "lines")

    def __init__(self) -> None:
        self.items: dict[tuple[type, Any], Any] = {}
        self.lines: dict[tuple[type, Any], int] = {}

    def set(self, key: Any, value: Any, line: int) -> None:
        typed = (type(key), key)
        self.items[typed] = value
        self.lines[typed] = line


def _to_json(value: Any, node: Node) -> Any:
    """sigs.k8s.io/yaml's convertToJSONableObject followed by encoding/json's refusals."""
    if isinstance(value, _GoMap):
        out: dict[str, Any] = {}
        for (_, key), item in value.items.items():
            name = _key_string(key, value.lines[(type(key), key)])
            if name in out:
                # Go iterates the map in random order: which value wins is chance. Refuse it.
                raise InputError(
                    f'keys that differ only in type both become "{name}" (Kubernetes keeps one of them at random)',
                    value.lines[(type(key), key)],
                )
            out[name] = _to_json(item, node)
        return out
    if isinstance(value, list):
        return [_to_json(item, node) for item in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InputError(f"json: unsupported value: {_go_float_name(value)} (.nan/.inf are not JSON)", node[-1] + 1)
    return value


def _go_float_name(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def _key_string(key: Any, line: int) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int) and _INT64[0] <= key <= _INT64[1]:
        return str(key)
    if isinstance(key, float):
        return go_float32_g(key)
    kind = "<nil>" if key is None else "uint64"
    raise InputError(f"unsupported map key of type {kind}: {key!r}", line)


def go_float32_g(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 32): the shortest float32 digits, in %e form from
    1e+06 up and below 1e-04 (with the shortest precision Go decides at an exponent of 6)."""
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return ".inf" if value > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for digits in range(1, 10):
        text = f"{single:.{digits}e}" if digits > 1 else f"{single:.0e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent = text.split("e")
    exp = int(exponent)
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    sign = "-" if mantissa.startswith("-") else ""
    figures = mantissa.lstrip("-").replace(".", "")
    if exp < -4 or exp >= 6:
        head = figures[0] + ("." + figures[1:] if len(figures) > 1 else "")
        return f"{sign}{head}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{figures}"
    whole = figures[: exp + 1].ljust(exp + 1, "0")
    frac = figures[exp + 1 :]
    return f"{sign}{whole}{'.' + frac if frac else ''}"


def scalar(tag: str, text: str, plain_implicit: bool, line: int) -> Any:
    """decode.go's scalar() into interface{}: the value of one scalar node."""
    if tag == "" and not plain_implicit:
        return text  # quoted, untagged: always a string
    rtag, value = resolve(tag, text, line)
    if rtag == BINARY:
        return _binary(value, line)
    if rtag == TIMESTAMP:
        return text  # yaml.v2 keeps timestamp-looking values as their text in an interface{}
    return value


def _binary(text: str, line: int) -> str:
    # Go's base64.StdEncoding skips \r and \n and insists on padding; the bytes become a Go
    # string, which encoding/json writes with U+FFFD for each byte that is not UTF-8.
    cleaned = text.replace("\r", "").replace("\n", "")
    try:
        data = base64.b64decode(cleaned, validate=True)
    except ValueError:
        raise InputError("!!binary value contains invalid base64 data", line) from None
    return data.decode("utf-8", errors="k8syaml-go-replace")


def _go_replace(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return "\ufffd" * (exc.end - exc.start), exc.end


codecs.register_error("k8syaml-go-replace", _go_replace)


def resolve(tag: str, text: str, line: int) -> tuple[str, Any]:
    """resolve.go's resolve(tag, in) for tags yaml.v2 resolves, with its tag check."""
    if tag not in _RESOLVABLE:
        return tag, text  # !!binary, !!merge, custom tags: the text as it is
    rtag, value = _implicit(tag, text)
    if tag in ("", rtag, STR, BINARY):
        return rtag, value
    if tag == FLOAT and rtag == INT:
        return FLOAT, float(value)
    raise InputError(f"cannot decode {_short(rtag)} `{text[:40]}` as a {_short(tag)}", line)


def _short(tag: str) -> str:
    return "!!" + tag[len(_PREFIX) :] if tag.startswith(_PREFIX) else tag


def _implicit(tag: str, text: str) -> tuple[str, Any]:
    if tag == STR or not text:
        return (NULL, None) if not text and tag != STR else (STR, text)
    first = text[0]
    if first in "yYnNtTfFoO~":
        return _FIXED.get(text, (STR, text))
    if first == ".":
        if text in _FIXED:
            return _FIXED[text]
        if _GO_FLOAT_DOT.fullmatch(text):
            return _go_float(text, text)
        return STR, text
    if first in "+-0123456789":
        if text in _FIXED:
            return _FIXED[text]
        if tag in ("", TIMESTAMP) and _TIMESTAMP.fullmatch(text):
            return TIMESTAMP, text
        plain = text.replace("_", "")
        if _GO_INT.fullmatch(plain):
            number = _go_int(plain)
            if number is not None:
                return INT, number
        if _YAML_FLOAT.fullmatch(plain):
            return _go_float(plain, text)
        return STR, text
    return STR, text  # any other first character: a string without looking further (resolve.go)


def _go_int(plain: str) -> int | None:
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    if digits[:2] in ("0x", "0X"):
        number = int(digits[2:], 16)
    elif digits[:2] in ("0b", "0B"):
        number = int(digits[2:], 2)
    elif digits[:2] in ("0o", "0O"):
        number = int(digits[2:], 8)
    elif len(digits) > 1 and digits[0] == "0":
        number = int(digits[1:], 8)
    else:
        number = int(digits)
    number *= sign
    if _INT64[0] <= number <= _INT64[1]:
        return number
    if 0 <= number <= _UINT64_MAX and plain[0] not in "+-":
        return number  # yaml.v2's ParseUint fallback: a uint64, still an integer in JSON
    return None


def _go_float(plain: str, text: str) -> tuple[str, Any]:
    number = float(plain)
    if math.isinf(number):
        return STR, text  # ParseFloat reports a range error: yaml.v2 keeps the text
    return FLOAT, number


class _NotPlain(Exception):
    """The document uses something only the full decoder handles: decode it that way."""


# Resolved plain scalars by their text ("true", "8080", "string"...): manifests repeat a few
# thousand short values; their meaning depends on the text alone (an untagged plain scalar).
_PLAIN_CACHE_LIMIT = 65536


def _load_plain(text: str) -> tuple[int, Any] | None:
    """load_one for a plain document, in one pass from libyaml's events to JSON values, without
    the node graph and Go map the full decoder needs for anchors, merge keys and typed keys (half
    the CPU on the Kubeflow tree). Scalars get the same `scalar()`. It raises _NotPlain at
    anchors, aliases, merge keys, keys that are not strings, values JSON cannot hold, the depth
    and size limits and any error: those documents go through the full decoder, which alone
    decides what they mean and which error (and line) they report. With none of those, both
    paths give the same value: duplicate string keys replace in place in both, and no key can
    collide with a key of another type."""
    parser = libyaml.CParser(text)
    try:
        return _plain_events(parser)
    except _NotPlain:
        raise
    except Exception:
        raise _NotPlain from None
    finally:
        parser.dispose()


def _plain_events(parser: Any) -> tuple[int, Any] | None:
    get = parser.get_event
    get()  # StreamStart
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None
    memo = _PLAIN_SCALARS
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end, document_end = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.DocumentEndEvent
    no_key = _NO_KEY
    # Open collections: [container, pending key or _NO_KEY (mappings), start line]; lists append.
    stack: list[list[Any]] = []
    root: list[Any] = []
    expanded = 0
    while True:
        event = get()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None:
                raise _NotPlain
            text = event.value
            tag = event.tag
            if tag is None and event.implicit[0]:
                try:
                    value = memo[text]
                except KeyError:
                    value = scalar("", text, True, 0)
                    if len(text) <= 64 and len(memo) < _PLAIN_CACHE_LIMIT:
                        memo[text] = value
            elif tag is None:
                value = text
            else:
                value = scalar(tag, text, event.implicit[0], event.start_mark.line + 1)
            if type(value) is str:
                expanded += len(value)
                if expanded > MAX_EXPANDED_BYTES:
                    raise _NotPlain
            elif type(value) is float and (value != value or value in (math.inf, -math.inf)):
                raise _NotPlain
            line = 0 if stack else event.start_mark.line
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or len(stack) >= MAX_DEPTH - 1:
                raise _NotPlain
            if stack:
                top = stack[-1]
                if type(top[0]) is dict and top[1] is no_key:
                    raise _NotPlain  # a mapping or sequence as a map key
            stack.append([{} if kind is mapping_start else [], no_key, event.start_mark.line])
            continue
        elif kind is mapping_end or kind is sequence_end:
            value, _, line = stack.pop()
        elif kind is document_end:
            return root[0] + 1, root[1]
        else:
            raise _NotPlain  # aliases, anything unexpected
        if not stack:
            root = [line, value]
            continue
        top = stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is no_key:
            if type(value) is not str or value == "<<":
                raise _NotPlain
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = no_key


_NO_KEY = object()
_PLAIN_SCALARS: dict[str, Any] = {}
