"""The one XML parser of the importers: pyexpat with defusedxml's guards, fed in chunks.

defusedxml's own handlers (those of its DefusedExpatParser, with its defaults) are wired onto
a bare pyexpat parser: an entity declaration (XXE, billion laughs) or an external reference
raises defusedxml's EntitiesForbidden / ExternalReferenceForbidden before anything is
expanded or fetched, and a DTD is never read (an entity it would have declared is refused
as undefined). What is left out is defusedxml's ElementTree layer: it re-implements the tree
builder in Python (five Python calls per element), which was 60 % of a .nessus import.

Two ways to read with it:
- `feed(parser, stream, source, drain)`: the caller's own expat handlers (the hand-written
  Nessus reader builds findings without any element objects); after each chunk, `drain()`
  hands over what the handlers collected, so memory is bounded by one chunk's results;
- `element_events(...)`: (event, Element) pairs built by the C TreeBuilder of the standard
  library, for importers that read a unit (host, issue, result) as a small element tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from cityguard.core.errors import DataError

if TYPE_CHECKING:
    from pyexpat import XMLParserType
    from xml.etree.ElementTree import Element

#: bytes read and parsed at a time (also expat's text buffer: a text node up to this size
#: reaches the handler in one piece)
CHUNK = 256 * 1024

T = TypeVar("T")


def hardened(namespaces: bool = False) -> XMLParserType:
    """A pyexpat parser with defusedxml's refusals installed and no handlers of its own.

    With `namespaces`, element names arrive as "uri}local" (ElementTree spells "{uri}local").
    """
    from pyexpat import ParserCreate

    from defusedxml.expatreader import DefusedExpatParser

    guard = DefusedExpatParser()  # defusedxml's defaults: entities and external refs refused
    parser = ParserCreate(None, "}" if namespaces else None)
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    if guard.forbid_dtd:
        parser.StartDoctypeDeclHandler = guard.defused_start_doctype_decl
    if guard.forbid_entities:
        parser.EntityDeclHandler = guard.defused_entity_decl
        parser.UnparsedEntityDeclHandler = guard.defused_unparsed_entity_decl
    if guard.forbid_external:
        parser.ExternalEntityRefHandler = guard.defused_external_entity_ref_handler
    parser.SkippedEntityHandler = _undefined_entity
    return parser


class UndefinedEntity(ValueError):
    """An entity reference no declaration was read for (behind an external DTD, never read)."""


def _undefined_entity(name: str, is_parameter_entity: bool) -> None:
    raise UndefinedEntity(name)


def feed(
    parser: XMLParserType, stream: BinaryIO, source: str, drain: Callable[[], Iterable[T]]
) -> Iterator[T]:
    """Parse the whole stream with `parser`'s handlers, yielding `drain()` after every chunk.

    Every refusal and parse error becomes one DataError naming the file (and the line)."""
    from pyexpat import ExpatError

    from defusedxml import DefusedXmlException

    parse = parser.Parse
    try:
        while chunk := stream.read(CHUNK):
            parse(chunk, False)
            yield from drain()
        parse(b"", True)
        yield from drain()
    except (ExpatError, DefusedXmlException, UndefinedEntity) as exc:
        raise xml_error(source, exc, parser.CurrentLineNumber) from None


def xml_error(source: str, exc: BaseException, line: int | None = None) -> DataError:
    """One DataError line for a defusedxml refusal or an expat / ElementTree parse error."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    if isinstance(exc, EntitiesForbidden):
        return DataError(source, "refused: the XML declares entities (XXE/entity-expansion guard)")
    if isinstance(exc, ExternalReferenceForbidden):
        return DataError(source, "refused: the XML references an external resource (XXE guard)")
    if isinstance(exc, DTDForbidden):
        return DataError(source, "refused: the XML carries a DTD")
    if isinstance(exc, UndefinedEntity):
        return DataError(source, "invalid XML (undefined entity)", line=line)
    position = getattr(exc, "position", None)
    line = position[0] if position else getattr(exc, "lineno", None) or line
    msg = str(exc).split(": line", 1)[0] or type(exc).__name__
    return DataError(source, f"invalid XML ({msg})", line=line)


def element_events(
    stream: BinaryIO, source: str, starts: frozenset[str] | None, ends: frozenset[str] | None
) -> Iterator[tuple[str, Element, Element | None]]:
    """("start" | "end", element, parent) for the local names asked for (None: every one).

    Elements are built by the standard library's C TreeBuilder; a "start" element has its tag
    and attributes, an "end" element its whole subtree. The parent (None for the root) is
    given with "end" events, so the caller can detach a finished unit from it."""
    from xml.etree.ElementTree import TreeBuilder

    parser = hardened(namespaces=True)
    builder = TreeBuilder()
    stack: list[Element] = []
    out: list[tuple[str, Element, Element | None]] = []
    b_start, b_end, push, pop, emit = builder.start, builder.end, stack.append, stack.pop, \
        out.append  # fmt: skip

    def start(tag: str, attrs: dict[str, str]) -> None:
        # expat spells a namespaced name "uri}local", ElementTree "{uri}local"
        name = tag
        if "}" in tag:
            name = tag.rsplit("}", 1)[1]
            tag = "{" + tag
        elem = b_start(tag, attrs)
        push(elem)
        if starts is None or name in starts:
            emit(("start", elem, None))

    def end(tag: str) -> None:
        elem = b_end("{" + tag if "}" in tag else tag)
        pop()
        if ends is None or (tag.rsplit("}", 1)[1] if "}" in tag else tag) in ends:
            emit(("end", elem, stack[-1] if stack else None))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data

    def drain() -> list[tuple[str, Element, Element | None]]:
        batch = out[:]
        out.clear()
        return batch

    return feed(parser, stream, source, drain)
