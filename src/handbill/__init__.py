"""handbill: plain content files in, print-ready bilingual PDF handouts out.

The public API is small: :func:`build` runs the whole pipeline for some
bundles; :class:`BuildOptions` carries every option the CLI offers.
"""

__version__ = "0.1.0"

from .builder import build  # noqa: E402
from .errors import Diagnostic, HandbillError  # noqa: E402
from .options import BuildOptions  # noqa: E402

__all__ = ["BuildOptions", "Diagnostic", "HandbillError", "build", "__version__"]
