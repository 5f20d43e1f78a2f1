"""handbill: plain content files in, print-ready bilingual PDF handouts out.

The public API is small: :func:`build` runs the whole pipeline for some
bundles; :class:`BuildOptions` carries every option the CLI offers.
"""

__version__ = "0.1.0"

__all__ = ["BuildOptions", "Diagnostic", "HandbillError", "build", "__version__"]


def __getattr__(name: str):
    # Imported when first asked for, so that `import handbill.cli` stays light: a
    # build forks its first render worker before it imports the rest (worker.early).
    if name == "build":
        from .builder import build

        return build
    if name in ("Diagnostic", "HandbillError"):
        from . import errors

        return getattr(errors, name)
    if name == "BuildOptions":
        from .options import BuildOptions

        return BuildOptions
    raise AttributeError(f"module 'handbill' has no attribute {name!r}")
