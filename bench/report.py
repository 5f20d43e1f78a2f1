"""The printed report: medians per contender, ratios pair by pair, targets met or missed."""

from __future__ import annotations

from measure import Result

COLD, WARM, NAIVE, TYPST = "handbill cold", "handbill warm", "naive WeasyPrint", "Typst"
#: (numerator, denominator) of the ratios shown for each document.
PAIRS = ((COLD, NAIVE), (WARM, NAIVE), (COLD, TYPST))
#: On the sample: (what, numerator, denominator, metric, limit, strictly below the limit).
TARGETS = (
    ("cold build wall time <= 0.9x naive", COLD, NAIVE, "wall", 0.9, False),
    ("cold build peak RSS  <= 0.5x naive", COLD, NAIVE, "rss_mib", 0.5, False),
    ("cold build PDF smaller than Typst's", COLD, TYPST, "bytes", 1.0, True),
)
#: Typst's page count is flagged when it differs from handbill's by more than this.
PAGE_TOLERANCE = 0.15

_ROW = "{:<20} {:<22} {:>6} {:>9} {:>14} {:>12}"


def _find(results: list[Result], name: str) -> Result | None:
    return next((r for r in results if r.name == name and r.ok), None)


def ratio(results: list[Result], numerator: str, denominator: str, metric: str) -> float | None:
    a, b = _find(results, numerator), _find(results, denominator)
    if a is None or b is None:
        return None
    return getattr(a, metric) / getattr(b, metric)


def _x(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}x"


def results_table(sections: list[tuple[str, list[Result]]]) -> list[str]:
    """One row per document and contender; a failed contender's error follows the table."""
    lines = [_ROW.format("document", "contender", "pages", "wall s", "peak RSS MiB", "PDF bytes"),
             _ROW.format(*("-" * n for n in (20, 22, 6, 9, 14, 12)))]
    errors = []
    for label, results in sections:
        for i, r in enumerate(results):
            shown = label if i == 0 else ""
            if r.ok:
                size = f"{r.bytes:,}" + ("*" if r.bytes_vary else "")
                lines.append(_ROW.format(shown, r.name, r.pages, f"{r.wall:.2f}",
                                         f"{r.rss_mib:.1f}", size))
            else:
                first, _, rest = (r.error or "no runs").partition("\n")
                lines.append(f"{shown:<20} {r.name:<22} {first}")
                if rest:
                    errors.append(f"{label}, {r.name}:\n    " + rest.replace("\n", "\n    "))
    if errors:
        lines += ["", "errors:"] + errors
    return lines


def ratios_table(sections: list[tuple[str, list[Result]]]) -> list[str]:
    lines = ["{:<20} {:<34} {:>7} {:>7} {:>7}".format("document", "ratio", "time", "RSS", "bytes")]
    notes = []
    for label, results in sections:
        for i, (a, b) in enumerate(PAIRS):
            lines.append("{:<20} {:<34} {:>7} {:>7} {:>7}".format(
                label if i == 0 else "", f"{a} / {b}",
                *(_x(ratio(results, a, b, m)) for m in ("wall", "rss_mib", "bytes"))))
        cold, typst = _find(results, COLD), _find(results, TYPST)
        if cold and typst and abs(typst.pages - cold.pages) > PAGE_TOLERANCE * cold.pages:
            notes.append(f"note: {label}: Typst made {typst.pages} pages, handbill {cold.pages}; "
                         "per-document ratios compare unequal page counts")
    return lines + notes


def targets_table(results: list[Result]) -> list[str]:
    lines = []
    for what, a, b, metric, limit, strict in TARGETS:
        value = ratio(results, a, b, metric)
        if value is None:
            verdict = "n/a"
        else:
            verdict = "met" if (value < limit if strict else value <= limit) else "missed"
        shown = _x(value, 3)  # enough digits to show why 0.50x can miss 0.5x
        if metric == "bytes" and value is not None:
            shown += f" ({_find(results, a).bytes:,} vs {_find(results, b).bytes:,} bytes)"
        lines.append(f"  {what:<38} {shown:<34} {verdict}")
    return lines


def render(header: list[str], sections: list[tuple[str, list[Result]]],
           many: tuple[str, list[Result]] | None, many_note: str | None) -> str:
    """The whole report: the header lines, then each table."""
    out = header + [""] + results_table(sections)
    out += ["", "Ratios (handbill / other; below 1.00x handbill is faster, leaner, smaller)"]
    out += ratios_table(sections)
    out += ["", f"Targets ({sections[0][0]})"] + targets_table(sections[0][1])
    if many is not None:
        out += ["", "Many documents (wall: the whole batch; peak RSS: the largest process; "
                "pages and bytes: all PDFs)"]
        out += results_table([many])
        if many_note:
            out.append(many_note)
    return "\n".join(out)
