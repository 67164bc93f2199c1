"""Small inline SVG charts for the reports: bars, stacked bars, a heatmap and a scatter plot.

Each function returns one ``<svg>`` element as a string, with every label escaped, a
``<title>`` for screen readers and tooltips, fixed sizes and colours, and no external
resources. Output is deterministic (numbers are formatted with fixed precision).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = (
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
    "#332288", "#117733", "#999933", "#cc6677", "#882255", "#44aa99",
)
OTHER_COLOUR = "#bbbbbb"
MISSING_COLOUR = "#dddddd"
FONT = "font-family=\"sans-serif\" font-size=\"12\""
CHAR_WIDTH = 7.6
"""Approximate width in pixels of one character at font size 12 (for label space)."""


def _e(value: object) -> str:
    """Escape text for SVG content or an attribute value."""
    return escape(str(value), quote=True)


def _f(value: float) -> str:
    """A coordinate with two decimals (deterministic)."""
    return f"{value:.2f}"


def colour_for(index: int, label: str = "") -> str:
    """The palette colour of the ``index``-th series (grey for 'Other')."""
    if label == "Other":
        return OTHER_COLOUR
    return PALETTE[index % len(PALETTE)]


def _open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
    ]


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    value_label: str = "{:.1%}",
    width: int = 560,
    bar_height: int = 18,
    label_width: int = 190,
    max_value: float | None = None,
) -> str:
    """Horizontal bars, one per ``(label, value)``; values formatted with ``value_label``."""
    gap = 6
    label_width = max(label_width, 12 + int(CHAR_WIDTH * max((len(k) for k, _ in items),
                                                            default=0)))
    width = max(width, label_width + 300)
    height = max(1, len(items)) * (bar_height + gap) + 10
    top = max([v for _, v in items] + [max_value or 0.0, 1e-12])
    plot_width = width - label_width - 70
    parts = _open(width, height, title)
    if not items:
        parts.append(f'<text x="4" y="20" {FONT}>No data</text>')
    for i, (label, value) in enumerate(items):
        y = 5 + i * (bar_height + gap)
        length = plot_width * max(value, 0.0) / top
        parts.append(
            f'<text x="{label_width - 6}" y="{_f(y + bar_height * 0.75)}" text-anchor="end" '
            f"{FONT}>{_e(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{_f(length)}" height="{bar_height}" '
            f'fill="{colour_for(i, label)}"><title>{_e(label)}: '
            f"{_e(value_label.format(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{_f(label_width + length + 4)}" y="{_f(y + bar_height * 0.75)}" '
            f"{FONT}>{_e(value_label.format(value))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def stacked_bars(
    samples: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    width: int = 720,
    bar_width: int = 28,
) -> str:
    """Vertical stacked bars (one per sample) of fractions; ``values[series][sample]``.

    A sample whose values sum to zero gets an empty grey outline labelled 'no reads'.
    """
    plot_height = 220
    legend_width = 200
    step = bar_width + 12
    width = max(width, 60 + len(samples) * step + legend_width)
    label_space = 90
    height = max(plot_height + label_space + 20, 30 + len(series) * 18)
    parts = _open(width, height, title)
    x0, y0 = 50, 10
    parts.append(f'<line x1="{x0 - 4}" y1="{y0}" x2="{x0 - 4}" y2="{y0 + plot_height}" '
                 'stroke="#444"/>')
    for tick in (0.0, 0.5, 1.0):
        y = y0 + plot_height * (1 - tick)
        parts.append(f'<text x="{x0 - 8}" y="{_f(y + 4)}" text-anchor="end" {FONT}>'
                     f"{tick:.0%}</text>")
    for j, sample in enumerate(samples):
        x = x0 + j * step
        column = [float(v[j] or 0.0) for v in values]
        total = sum(column)
        if total <= 0:
            parts.append(f'<rect x="{x}" y="{y0}" width="{bar_width}" height="{plot_height}" '
                         f'fill="none" stroke="{MISSING_COLOUR}"><title>{_e(sample)}: no reads'
                         "</title></rect>")
        y = y0 + plot_height
        for i, value in enumerate(column):
            if value <= 0:
                continue
            h = plot_height * value
            y -= h
            parts.append(
                f'<rect x="{x}" y="{_f(y)}" width="{bar_width}" height="{_f(h)}" '
                f'fill="{colour_for(i, series[i])}"><title>{_e(sample)} - {_e(series[i])}: '
                f"{value:.1%}</title></rect>"
            )
        lx, ly = x + bar_width / 2, y0 + plot_height + 8
        parts.append(f'<text x="{_f(lx)}" y="{_f(ly)}" transform="rotate(60 {_f(lx)} {_f(ly)})"'
                     f" {FONT}>{_e(sample)}</text>")
    lx = x0 + len(samples) * step + 20
    for i, name in enumerate(series):
        y = y0 + i * 18
        parts.append(f'<rect x="{lx}" y="{y}" width="12" height="12" '
                     f'fill="{colour_for(i, name)}"/>')
        parts.append(f'<text x="{lx + 18}" y="{y + 10}" {FONT}>{_e(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[tuple[float | None, str]]],
    *,
    title: str,
    cell: int = 26,
    label_width: int = 260,
) -> str:
    """A heatmap; ``cells[row][col] = (value, text)``. Colour is scaled per row to its maximum.

    ``value`` None draws a grey cell with ``text`` (e.g. 'n/p' for not predictable).
    """
    # Row labels are long: estimate generously so right-aligned text is never clipped.
    label_width = max(
        label_width, 24 + int(1.15 * CHAR_WIDTH * max((len(r) for r in rows), default=0))
    )
    top_space = 20 + int(CHAR_WIDTH * 0.87 * max((len(c) for c in columns), default=0))
    width = label_width + len(columns) * cell + 20
    height = top_space + len(rows) * cell + 10
    parts = _open(width, height, title)
    for j, name in enumerate(columns):
        x = label_width + j * cell + cell / 2
        parts.append(f'<text x="{_f(x)}" y="{top_space - 6}" '
                     f'transform="rotate(-60 {_f(x)} {top_space - 6})" {FONT}>{_e(name)}</text>')
    for i, name in enumerate(rows):
        y = top_space + i * cell
        parts.append(f'<text x="{label_width - 6}" y="{_f(y + cell * 0.65)}" text-anchor="end" '
                     f"{FONT}>{_e(name)}</text>")
        known = [v for v, _ in cells[i] if v is not None]
        top = max(known + [1e-12])
        for j, (value, label) in enumerate(cells[i]):
            x = label_width + j * cell
            if value is None:
                fill = MISSING_COLOUR
            else:
                share = max(0.0, min(1.0, value / top))
                fill = _blend(share)
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{fill}"><title>{_e(name)} / {_e(columns[j])}: {_e(label)}'
                         "</title></rect>")
            if value is None and label and len(label) <= 4:
                parts.append(f'<text x="{_f(x + (cell - 2) / 2)}" y="{_f(y + cell * 0.62)}" '
                             f'text-anchor="middle" font-family="sans-serif" font-size="8">'
                             f"{_e(label)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _blend(share: float) -> str:
    """White (0) to dark blue (1)."""
    start, end = (247, 251, 255), (8, 48, 107)
    rgb = [round(a + (b - a) * share) for a, b in zip(start, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def scatter(
    points: Sequence[tuple[str, float, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    size: int = 360,
) -> str:
    """A labelled scatter plot of ``(label, x, y)`` points with axes through the data range."""
    margin = 50
    parts = _open(size + margin + 120, size + margin, title)
    xs = [p[1] for p in points] or [0.0]
    ys = [p[2] for p in points] or [0.0]

    def scale(value: float, low: float, high: float, flip: bool = False) -> float:
        span = (high - low) or 1.0
        share = 0.1 + 0.8 * (value - low) / span
        if flip:
            share = 1 - share
        return margin + share * size

    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    parts.append(f'<rect x="{margin}" y="0" width="{size}" height="{size}" fill="none" '
                 'stroke="#444"/>')
    parts.append(f'<text x="{_f(margin + size / 2)}" y="{size + 30}" text-anchor="middle" '
                 f"{FONT}>{_e(x_label)}</text>")
    parts.append(f'<text x="14" y="{_f(size / 2)}" transform="rotate(-90 14 {_f(size / 2)})" '
                 f'text-anchor="middle" {FONT}>{_e(y_label)}</text>')
    for i, (label, x, y) in enumerate(points):
        cx = scale(x, lo_x, hi_x)
        cy = scale(y, lo_y, hi_y, flip=True) - margin
        parts.append(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="5" fill="{colour_for(i)}">'
                     f"<title>{_e(label)}: ({x:.3g}, {y:.3g})</title></circle>")
        parts.append(f'<text x="{_f(cx + 7)}" y="{_f(cy + 4)}" {FONT}>{_e(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def forest(
    rows: Sequence[tuple[str, float | None, float | None, float | None, bool]],
    *,
    title: str,
    axis_label: str,
    scale: float = 100.0,
    unit: str = " pp",
    width: int = 720,
    row_height: int = 20,
) -> str:
    """A forest plot: one row per ``(label, effect, low, high, significant)``, the effect as a
    point and its interval as a line, a vertical line at 0; significant rows in dark blue,
    others grey; rows without an effect say 'no value'. Values are multiplied by ``scale``
    for the axis and the labels (100: shares as percentage points)."""
    label_width = max(200, 12 + int(CHAR_WIDTH * max((len(r[0]) for r in rows), default=0)))
    label_width = min(label_width, 420)
    plot_left, plot_width = label_width, width - label_width - 90
    height = 30 + max(1, len(rows)) * row_height + 46
    values = [v for r in rows for v in r[1:4] if v is not None] or [0.0]
    low, high = min(min(values), 0.0), max(max(values), 0.0)
    span = (high - low) or 1.0
    low, high = low - 0.05 * span, high + 0.05 * span

    def x_of(value: float) -> float:
        return plot_left + plot_width * (value - low) / (high - low)

    parts = _open(width, height, title)
    zero = x_of(0.0)
    bottom = 20 + len(rows) * row_height
    parts.append(f'<line x1="{_f(zero)}" y1="10" x2="{_f(zero)}" y2="{_f(bottom)}" '
                 'stroke="#444" stroke-dasharray="3,3"/>')
    for i, (label, effect, lo, hi, significant) in enumerate(rows):
        y = 20 + i * row_height
        colour = "#08306b" if significant else "#9e9e9e"
        shown = label if len(label) <= 56 else label[:55] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{_f(y + 4)}" text-anchor="end" '
                     f"{FONT}><title>{_e(label)}</title>{_e(shown)}</text>")
        if effect is None:
            parts.append(f'<text x="{_f(zero + 6)}" y="{_f(y + 4)}" {FONT}>no value</text>')
            continue
        if lo is not None and hi is not None:
            parts.append(f'<line x1="{_f(x_of(lo))}" y1="{_f(y)}" x2="{_f(x_of(hi))}" '
                         f'y2="{_f(y)}" stroke="{colour}" stroke-width="2"/>')
        text = f"{effect * scale:+.1f}{unit}"
        if lo is not None and hi is not None:
            text += f" ({lo * scale:+.1f} to {hi * scale:+.1f})"
        parts.append(f'<circle cx="{_f(x_of(effect))}" cy="{_f(y)}" r="4" fill="{colour}">'
                     f"<title>{_e(label)}: {_e(text)}</title></circle>")
        parts.append(f'<text x="{_f(plot_left + plot_width + 6)}" y="{_f(y + 4)}" {FONT}>'
                     f"{_e(f'{effect * scale:+.1f}')}</text>")
    parts.append(f'<text x="{_f(plot_left)}" y="{_f(bottom + 18)}" {FONT}>'
                 f"{_e(f'{low * scale:.0f}')}</text>")
    parts.append(f'<text x="{_f(plot_left + plot_width)}" y="{_f(bottom + 18)}" '
                 f'text-anchor="end" {FONT}>{_e(f"{high * scale:.0f}")}</text>')
    parts.append(f'<text x="{_f(plot_left + plot_width / 2)}" y="{_f(bottom + 36)}" '
                 f'text-anchor="middle" {FONT}>{_e(axis_label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
