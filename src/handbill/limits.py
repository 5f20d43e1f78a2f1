"""A document that will surely run past the page limit is stopped before it is laid out.

WeasyPrint lays a whole document out before anyone can count its pages, and a
runaway text costs gigabytes on the way (100,000 list items reached 2.8 GB).
Every paragraph, list item, heading and table cell takes at least one line,
and no layout sets more than :data:`MAX_BLOCKS_PER_PAGE` lines on a page (the
smallest type a layout may use, 11 pt, fits about 60 lines on an A4 page; the
trifold's three panels and the parallel layout's two columns a few times that),
so a text of more blocks than that many pages hold is refused at once, with
what it holds. Anything shorter is laid out and counted exactly
(``--max-pages``, ``--timeout``).
"""

from __future__ import annotations

import math
from typing import Iterable

from .model import Body

#: More lines than any layout sets on one page: the bound is generous on purpose.
MAX_BLOCKS_PER_PAGE = 400


def fewest_pages(bodies: Iterable[Body]) -> tuple[int, int]:
    """(blocks, the fewest pages they can take) for the texts a document prints."""
    blocks = sum(body.blocks for body in bodies)
    return blocks, math.ceil(blocks / MAX_BLOCKS_PER_PAGE)
