"""The printed report: medians per contender, ratios pair by pair, targets met or missed."""

from __future__ import annotations

from measure import Result

COLD, WARM, NAIVE, TYPST = "handbill cold", "handbill warm", "naive WeasyPrint", "Typst"
#: Plain WeasyPrint with handbill's bundled fonts handed over whole: what subsetting saves.
WHOLE = "WeasyPrint, fonts whole"
#: (numerator, denominator) of the ratios shown for each document.
PAIRS = ((COLD, NAIVE), (WARM, NAIVE), (COLD, WHOLE), (COLD, TYPST))


def many_jobs(jobs: int) -> str:
    return f"handbill -j {jobs}"


#: The 50-document section's contenders (run.py makes them).
NOOP, J1, J2 = "handbill no-op rebuild", many_jobs(1), many_jobs(2)
TYPST_1, TYPST_N = "Typst, 1 process", "Typst, 2 processes"
MANY_PAIRS = ((J1, TYPST_1), (J2, TYPST_N))

#: A target: (what, numerator, denominator or None for the metric itself, metric, comparison,
#: limit). Ratios are numerator / denominator.
TARGETS = (
    ("cold build wall time <= 0.9x naive", COLD, NAIVE, "wall", "<=", 0.9),
    ("cold build peak RSS  <= 0.5x naive", COLD, NAIVE, "rss_mib", "<=", 0.5),
    ("cold build PDF smaller than Typst's", COLD, TYPST, "bytes", "<", 1.0),
)
MANY_TARGETS = (
    ("no-op rebuild of all 50 <= 0.3 s", NOOP, None, "wall", "<=", 0.3),
    ("-j 2 speed-up over -j 1 >= 1.7x", J1, J2, "wall", ">=", 1.7),
    ("-j 2 wall time <= 2x Typst (2 proc.)", J2, TYPST_N, "wall", "<=", 2.0),
)
#: Typst's page count is flagged when it differs from handbill's by more than this.
PAGE_TOLERANCE = 0.15
#: Typst's 2 processes should be about 2x faster than its 1; below this, a core was busy.
PARALLEL_SANITY = 1.5

_ROW = "{:<20} {:<24} {:>4} {:>6} {:>9} {:>14} {:>12}"
_WIDTHS = (20, 24, 4, 6, 9, 14, 12)


def _find(results: list[Result], name: str) -> Result | None:
    return next((r for r in results if r.name == name and r.ok), None)


def ratio(results: list[Result], numerator: str, denominator: str | None,
          metric: str) -> float | None:
    a = _find(results, numerator)
    if denominator is None:
        return None if a is None else getattr(a, metric)
    b = _find(results, denominator)
    if a is None or b is None:
        return None
    return getattr(a, metric) / getattr(b, metric)


def _x(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}x"


def results_table(sections: list[tuple[str, list[Result]]]) -> list[str]:
    """One row per document and contender; a failed contender's error follows the table."""
    lines = [_ROW.format("document", "contender", "runs", "pages", "wall s", "peak RSS MiB",
                         "PDF bytes"),
             _ROW.format(*("-" * n for n in _WIDTHS))]
    errors = []
    for label, results in sections:
        for i, r in enumerate(results):
            shown = label if i == 0 else ""
            if r.ok:
                size = f"{r.bytes:,}" + ("*" if r.bytes_vary else "")
                lines.append(_ROW.format(shown, r.name, r.runs, r.pages, f"{r.wall:.2f}",
                                         f"{r.rss_mib:.1f}", size))
            else:
                first, _, rest = (r.error or "no runs").partition("\n")
                lines.append(f"{shown:<20} {r.name:<24} {first}")
                if rest:
                    errors.append(f"{label}, {r.name}:\n    " + rest.replace("\n", "\n    "))
    if errors:
        lines += ["", "errors:"] + errors
    return lines


def ratios_table(sections: list[tuple[str, list[Result]]], pairs=PAIRS,
                 pages_of=(COLD, TYPST)) -> list[str]:
    lines = ["{:<20} {:<44} {:>7} {:>7} {:>7}".format("document", "ratio", "time", "RSS", "bytes")]
    notes = []
    for label, results in sections:
        for i, (a, b) in enumerate(pairs):
            lines.append("{:<20} {:<44} {:>7} {:>7} {:>7}".format(
                label if i == 0 else "", f"{a} / {b}",
                *(_x(ratio(results, a, b, m)) for m in ("wall", "rss_mib", "bytes"))))
        ours, typst = _find(results, pages_of[0]), _find(results, pages_of[1])
        if ours and typst and abs(typst.pages - ours.pages) > PAGE_TOLERANCE * ours.pages:
            notes.append(f"note: {label}: Typst made {typst.pages} pages, handbill {ours.pages}; "
                         "the ratios compare unequal page counts")
    return lines + notes


def _met(value: float, comparison: str, limit: float) -> bool:
    return {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[comparison]


def targets_table(results: list[Result], targets=TARGETS) -> list[str]:
    lines = []
    for what, a, b, metric, comparison, limit in targets:
        value = ratio(results, a, b, metric)
        verdict = "n/a" if value is None else ("met" if _met(value, comparison, limit) else "missed")
        if value is None:
            shown = "n/a"
        elif b is None:
            shown = f"{value:.3f} s"
        else:
            shown = _x(value, 3)  # enough digits to show why 0.50x can miss 0.5x
            if metric == "bytes":
                shown += f" ({_find(results, a).bytes:,} vs {_find(results, b).bytes:,} bytes)"
            elif metric == "wall":
                shown += f" ({_find(results, a).wall:.2f} s / {_find(results, b).wall:.2f} s)"
        lines.append(f"  {what:<38} {shown:<34} {verdict}")
    return lines


def render(header: list[str], sections: list[tuple[str, list[Result]]],
           many: tuple[str, list[Result]] | None) -> str:
    """The whole report: the header lines, then each table."""
    out = list(header)
    if sections:  # none with --many-only
        out += [""] + results_table(sections)
        out += ["", "Ratios (handbill / other; below 1.00x handbill is faster, leaner, smaller)"]
        out += ratios_table(sections)
        out += ["", f"Targets ({sections[0][0]})"] + targets_table(sections[0][1])
    if many is not None:
        out += ["", "Many documents: 50 handouts (wall: the whole batch; peak RSS: the largest "
                "process; pages and bytes: all PDFs). no-op: `handbill build` again with nothing "
                "changed; -j N: from an empty output folder, font cache warm"]
        out += results_table([many])
        out += ["", "Ratios (handbill / Typst)"]
        out += ratios_table([many], MANY_PAIRS, (J2, TYPST_N))
        out += ["", f"Targets ({many[0]})"] + targets_table(many[1], MANY_TARGETS)
        typst_speedup = ratio(many[1], TYPST_1, TYPST_N, "wall")
        if typst_speedup is not None and typst_speedup < PARALLEL_SANITY:
            out.append(f"note: Typst's 2 processes were only {typst_speedup:.2f}x faster than its 1: "
                       "something else used a core meanwhile, so the -j 2 figures understate it")
    return "\n".join(out)
