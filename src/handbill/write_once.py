"""Serialize each PDF object once per write, not twice.

pydyf 0.13 writes a PDF with an identifier (handbill's: the same content gives
the same /ID, so the same bytes) by serializing every object a second time to
hash it: every dictionary of the structure tree again, every stream compressed
again at zlib level 9. That second pass is half of writing a handout (about
10 ms of a 4-page document's 230 ms, 0.4 s of a 93-page one's 6.6 s).

Between :func:`start` and :func:`stop`, the ``data`` of pydyf's streams,
dictionaries and arrays is kept the first time it is asked for and given back
the second: the same bytes (a test compares them with pydyf's own), as nothing
changes an object while pydyf writes the file. The PDF finisher, the last step
before pydyf writes, starts it; it stops when the write is done.
"""

from __future__ import annotations

#: id(object) -> (object, its bytes), during one write; None otherwise.
_MEMO: dict | None = None
_INSTALLED = False


def _kept(prop: property) -> property:
    compute = prop.fget

    def data(self):
        if _MEMO is None:
            return compute(self)
        hit = _MEMO.get(id(self))
        if hit is None or hit[0] is not self:
            hit = _MEMO[id(self)] = (self, compute(self))
        return hit[1]

    data.__doc__ = compute.__doc__
    return property(data)


def install() -> None:
    """Make pydyf's data properties able to keep what they computed (once per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import pydyf

    for cls in (pydyf.Stream, pydyf.Dictionary, pydyf.Array):
        cls.data = _kept(cls.__dict__["data"])
    _INSTALLED = True


def start() -> None:
    """Keep objects' bytes from now until :func:`stop` (called by the finisher)."""
    global _MEMO
    install()
    _MEMO = {}


def stop() -> None:
    global _MEMO
    _MEMO = None
