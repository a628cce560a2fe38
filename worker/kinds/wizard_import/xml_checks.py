"""Whether an XML part declares a DTD, found by an XML parser in any encoding.

Office never writes a DTD into a workbook, and a DTD is how entity tricks get in (an entity
expanded a billion times, or one naming a file on the server), so a part that declares one
is refused, whatever it declares. Looking for the bytes `<!DOCTYPE` is not enough: a part in
UTF-16 spells them with a NUL between letters. So the part is given to expat, which reads
the XML declaration and the byte order mark (UTF-8, UTF-16 in either byte order, Latin-1,
ASCII and the single-byte encodings Python knows), and the parser says whether a DOCTYPE
came. A DTD can only come before the root element, so parsing stops at the root's start:
looking at a worksheet of 100 MB costs its first bytes. Bytes that are not XML (an image)
declare nothing here: whatever reads them refuses them. Expat does not know UTF-32: a part
in it is not XML to expat, nor to the readers after it, and is refused by them.
"""

from __future__ import annotations

from xml.parsers import expat


class _Settled(Exception):
    """The prolog is over (the root element started, or the bytes are not XML)."""


class _Doctype(_Settled):
    """A DOCTYPE was declared."""


class DoctypeWatch:
    """Fed a part's bytes a chunk at a time (as it is inflated), says whether the part
    declares a DTD; stops parsing as soon as that is settled."""

    def __init__(self) -> None:
        self.found = False
        self.settled = False
        self._parser = expat.ParserCreate()
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._doctype  # only inside a DTD, but to be sure
        self._parser.StartElementHandler = self._root

    def feed(self, chunk: bytes, final: bool = False) -> None:
        """The part's next bytes (`final`: the last)."""
        if self.settled:
            return
        try:
            self._parser.Parse(chunk, final)
        except _Doctype:
            self.found = self.settled = True
        except (_Settled, expat.ExpatError):
            self.settled = True
        else:
            self.settled = final

    def _doctype(self, *_: object) -> None:
        raise _Doctype

    def _root(self, *_: object) -> None:
        raise _Settled


def declares_dtd(content: bytes) -> bool:
    """Whether the XML part `content` declares a DTD (in any encoding expat reads)."""
    watch = DoctypeWatch()
    watch.feed(content, final=True)
    return watch.found
