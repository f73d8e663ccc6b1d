"""Charts as inline SVG text: no plotting library, no fonts or scripts to fetch.

The review report must open offline, so the chart is plain SVG markup (valid XML) that
an HTML page embeds inline and a Markdown record links as a file beside it.

Options often cost the same, so lines coincide: every line gets its own colour, dash
pattern and marker shape (markers staggered so coincident lines still show each one),
and the recommended line is drawn first, wide, so the thinner lines on top leave it
visible on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from .costs import BreakEven, CostEstimate
from .i18n import _

# The charts' and the HTML record's fonts: the system's UI font, then fonts with Hangul
# that ship with macOS, Windows and Linux (Noto CJK, Nanum), so Korean text renders
# without downloading a font (the record loads nothing from the network).
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", Roboto, "Apple SD Gothic Neo", '
              '"Malgun Gothic", "Noto Sans CJK KR", "Noto Sans KR", NanumGothic, sans-serif')

# One colour per option (the other fine-tuning path has its own hues).
COLORS = {
    "rag": "#2563eb",
    "fine-tune": "#c2410c",
    "hybrid": "#047857",
    "fine-tune (hosted)": "#7c3aed",
    "hybrid (hosted)": "#be185d",
    "fine-tune (open-weights)": "#7c3aed",
    "hybrid (open-weights)": "#be185d",
    # hosted LoRA of an open model: one of the two is priced, never both
    "fine-tune (hosted-lora)": "#0f766e",
    "hybrid (hosted-lora)": "#0f766e",
}
FALLBACK_COLORS = ("#0e7490", "#a16207", "#4d7c0f", "#9f1239", "#1e3a8a")
# Distinct dash patterns: long dashes for the primary options, short for the others, so
# two coincident lines interleave instead of one hiding the other.
PRIMARY_DASHES = ("", "14 4", "10 3 2 3")
OTHER_DASHES = ("5 3", "3 2", "8 2 2 2 2 2")
SHAPES = ("circle", "square", "diamond", "triangle", "cross")

WIDTH, HEIGHT = 820, 370
LEFT, RIGHT, TOP, BOTTOM = 76, 560, 24, 316  # the plot area
LEGEND_X = 590
MARKER_EVERY = 6  # months between a line's markers
# A crossing before the first month means the upfront difference is repaid within weeks:
# one option is simply cheaper, and a circle at the origin would say nothing.
MEANINGFUL_CROSSING_MONTHS = 1.0


@dataclass(frozen=True)
class Series:
    """One line through ``points`` (x, y), drawn in ``color`` with ``dash`` (SVG dasharray).

    ``emphasis`` draws it wide and first (the recommended option). ``whisker`` is the
    low/high range of the last value; ``note`` is shown under its legend entry.
    """

    label: str
    points: Sequence[tuple[float, float]]
    color: str
    dash: str = ""
    sets_scale: bool = True
    emphasis: bool = False
    shape: str = "circle"
    whisker: tuple[float, float] | None = None
    note: str = ""


@dataclass(frozen=True)
class Marker:
    """A labelled point, e.g. where two cumulative costs cross."""

    x: float
    y: float
    label: str


def meaningful(crossing: BreakEven) -> bool:
    """Whether a break-even is worth marking: a crossing after the first month."""
    return crossing.at is not None and crossing.at >= MEANINGFUL_CROSSING_MONTHS


def cumulative_cost_chart(costs: CostEstimate, recommended: str | None = None) -> str:
    """Cumulative cost per option over its horizon, ranges and break-evens marked.

    A line stops where the option's horizon does (a model it depends on retires).
    ``recommended``: the option drawn with emphasis.
    """
    series = []
    primary_dashes, other_dashes = iter(PRIMARY_DASHES), iter(OTHER_DASHES)
    fallback = iter(FALLBACK_COLORS)
    for index, option in enumerate(costs.options):
        end = option.horizon_months
        months = [float(m) for m in range(math.floor(end) + 1)]
        if months[-1] < end:
            months.append(end)
        emphasis = option.name == recommended
        pool = primary_dashes if option.primary else other_dashes
        dash = "" if emphasis else next(pool, "4 2")
        note = ""
        if option.retires is not None and end < costs.horizon_months:
            note = _("ends {date} (model retires)").format(date=option.retires.isoformat())
        series.append(Series(
            option.name,
            [(m, option.cumulative(m)) for m in months],
            COLORS.get(option.name) or next(fallback, "#374151"),
            dash=dash,
            sets_scale=option.primary,
            emphasis=emphasis,
            shape=SHAPES[index % len(SHAPES)],
            whisker=option.range_total if option.primary else None,
            note=note,
        ))
    markers = [
        Marker(b.at, costs.option(b.first).cumulative(b.at),
               _("{dear} overtakes {cheap} (month {month})").format(
                   dear=b.cheaper_after, cheap=b.cheaper_before, month=b.month))
        for b in costs.break_even
        if b.at is not None and meaningful(b)
    ]
    return line_chart(
        series,
        title=_("Cumulative cost over {months} months (USD)").format(
            months=costs.horizon_months),
        x_unit=_("month"),
        x_label=_("months"),
        x_max=costs.horizon_months,
        markers=markers,
    )


def line_chart(series: Sequence[Series], *, title: str, x_unit: str,
               x_max: float | None = None, markers: Sequence[Marker] = (),
               x_label: str | None = None) -> str:
    """An SVG line chart of ``series``, with axes, a legend and optional range whiskers.

    The y axis fits the series that set the scale; a series that does not and would
    squash them (more than twice their top) runs off the plot, clipped, and its legend
    entry says where it ends.
    """
    span = x_max if x_max is not None else max(p[0] for s in series for p in s.points)
    scaled = max((_top(s) for s in series if s.sets_scale), default=0)
    everything = max((_top(s) for s in series), default=0)
    top = _nice_ceiling(everything if everything <= 2 * scaled else scaled)
    y_ticks = _ticks(top)

    def x(value: float) -> float:
        return LEFT + (RIGHT - LEFT) * value / max(span, 1)

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'font-family="{escape(FONT_STACK)}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<defs><clipPath id="plot-area"><rect x="{LEFT}" y="{TOP - 8}" '
        f'width="{RIGHT - LEFT + 8}" height="{BOTTOM - TOP + 8}"/></clipPath></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for value in y_ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{RIGHT}" y2="{y(value):.1f}" '
            f'stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'fill="#374151">{escape(_money(value))}</text>'
        )
    steps = math.floor(span)
    for step in range(0, steps + 1, _x_step(steps)):
        parts.append(
            f'<line x1="{x(step):.1f}" y1="{BOTTOM}" x2="{x(step):.1f}" y2="{BOTTOM + 5}" '
            f'stroke="#6b7280"/>'
            f'<text x="{x(step):.1f}" y="{BOTTOM + 20}" text-anchor="middle" '
            f'fill="#374151">{step}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="#6b7280"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}" stroke="#6b7280"/>'
        f'<text x="{(LEFT + RIGHT) / 2:.0f}" y="{BOTTOM + 42}" text-anchor="middle" '
        f'fill="#374151">{escape(x_label or x_unit + "s")}</text>'
    )
    # The emphasised line first and wide: the thinner lines drawn over it leave it visible.
    # Then the longest first: a line that stops early is short and hides little on top.
    order = sorted(range(len(series)),
                   key=lambda i: (not series[i].emphasis, -series[i].points[-1][0]))
    for i in order:
        s = series[i]
        points = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in s.points)
        dash = f' stroke-dasharray="{s.dash}" stroke-dashoffset="{3 * i}"' if s.dash else ""
        parts.append(
            f'<polyline class="series" data-series="{escape(s.label)}" fill="none" '
            f'stroke="{s.color}" stroke-width="{_width(s)}" stroke-linejoin="round"{dash} '
            f'clip-path="url(#plot-area)" points="{points}">'
            f"<title>{escape(s.label)}</title></polyline>"
        )
    ranged = [i for i, s in enumerate(series) if s.whisker is not None]
    for i, s in enumerate(series):
        if s.whisker is not None:
            # Side by side where lines end together, so no whisker hides another.
            shift = 7 * (ranged.index(i) - (len(ranged) - 1) / 2)
            parts.append(_whisker(s, x(s.points[-1][0]) + shift, y, top))
        for px, py in _marker_points(s, i, len(series)):
            if py <= top:
                parts.append(_shape(s.shape, x(px), y(py), s.color, "marker", s.label))
    for m in markers:
        parts.append(
            f'<circle class="break-even" cx="{x(m.x):.1f}" cy="{y(m.y):.1f}" r="6" '
            f'fill="none" stroke="#111827" stroke-width="2">'
            f"<title>{escape(m.label)}</title></circle>"
        )
    parts.append('<g class="legend">')
    parts += _legend(series, markers, top, x_unit, span)
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _top(s: Series) -> float:
    values = [p[1] for p in s.points]
    if s.whisker is not None:
        values.append(s.whisker[1])
    return max(values, default=0)


def _width(s: Series) -> str:
    return "6" if s.emphasis else "2.5"


def _marker_points(s: Series, index: int, count: int) -> list[tuple[float, float]]:
    """Points every :data:`MARKER_EVERY` x steps, staggered by series so none coincide."""
    if len(s.points) < 2:
        return list(s.points)
    start, end = s.points[0][0], s.points[-1][0]
    offset = 1 + (MARKER_EVERY - 1) * index / max(count, 1)
    out = []
    at = start + offset
    while at < end:
        out.append((at, _interpolate(s.points, at)))
        at += MARKER_EVERY
    return out or [(end, s.points[-1][1])]


def _interpolate(points: Sequence[tuple[float, float]], at: float) -> float:
    for (x0, y0), (x1, y1) in pairwise(points):
        if x0 <= at <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (at - x0) / (x1 - x0)
    return points[-1][1]


def _whisker(s: Series, cx: float, y, top: float) -> str:
    low, high = s.whisker or (0, 0)
    y1, y2 = y(min(low, top)), y(min(high, top))
    return (
        f'<g class="range" stroke="{s.color}" stroke-width="1.5">'
        f'<title>{escape(s.label)}: {escape(_money(low))} to {escape(_money(high))}</title>'
        f'<line x1="{cx:.1f}" y1="{y1:.1f}" x2="{cx:.1f}" y2="{y2:.1f}"/>'
        f'<line x1="{cx - 5:.1f}" y1="{y1:.1f}" x2="{cx + 5:.1f}" y2="{y1:.1f}"/>'
        f'<line x1="{cx - 5:.1f}" y1="{y2:.1f}" x2="{cx + 5:.1f}" y2="{y2:.1f}"/></g>'
    )


def _shape(shape: str, cx: float, cy: float, color: str, cls: str, label: str = "") -> str:
    """A 9-pixel marker of ``shape`` centred on (cx, cy)."""
    tip = f"<title>{escape(label)}</title>" if label else ""
    common = f'class="{cls}" fill="{color}" stroke="#ffffff" stroke-width="1"'
    if shape == "square":
        return (f'<rect {common} x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8">'
                f"{tip}</rect>")
    if shape in ("diamond", "triangle", "cross"):
        corners = {
            "diamond": [(0, -5.5), (5.5, 0), (0, 5.5), (-5.5, 0)],
            "triangle": [(0, -5.5), (5, 4), (-5, 4)],
            "cross": [(-2, -5), (2, -5), (2, -2), (5, -2), (5, 2), (2, 2), (2, 5), (-2, 5),
                      (-2, 2), (-5, 2), (-5, -2), (-2, -2)],
        }[shape]
        points = " ".join(f"{cx + dx:.1f},{cy + dy:.1f}" for dx, dy in corners)
        return f'<polygon {common} points="{points}">{tip}</polygon>'
    return f'<circle {common} cx="{cx:.1f}" cy="{cy:.1f}" r="4.5">{tip}</circle>'


def _legend(series: Sequence[Series], markers: Sequence[Marker], top: float, x_unit: str,
            span: float) -> list[str]:
    parts = []
    row = TOP + 8
    for s in series:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        weight, suffix = (' font-weight="600"', " " + _("(recommended)")) if s.emphasis \
            else ("", "")
        parts.append(
            f'<line x1="{LEGEND_X}" y1="{row}" x2="{LEGEND_X + 28}" y2="{row}" '
            f'stroke="{s.color}" stroke-width="{_width(s)}"{dash}/>'
            + _shape(s.shape, LEGEND_X + 14, row, s.color, "legend-marker")
            + f'<text x="{LEGEND_X + 36}" y="{row + 4}" fill="#111827"{weight}>'
            f"{escape(s.label)}{suffix}</text>"
        )
        notes = [s.note] if s.note else []
        if _top(s) > top:
            last = s.points[-1]
            notes.append(_("off the chart: {value} at {unit} {x:g}").format(
                value=_money(last[1]), unit=x_unit, x=last[0]))
        for note in notes:
            row += 16
            parts.append(f'<text x="{LEGEND_X + 36}" y="{row + 4}" fill="#6b7280" '
                         f'font-size="11">{escape(note)}</text>')
        row += 24
    if any(s.whisker for s in series):
        label = escape(_("low-high range"))
        parts.append(
            f'<line x1="{LEGEND_X + 14}" y1="{row - 6}" x2="{LEGEND_X + 14}" y2="{row + 6}" '
            f'stroke="#374151" stroke-width="1.5"/><text x="{LEGEND_X + 36}" y="{row + 4}" '
            f'fill="#111827">{label}</text>'
        )
        row += 24
    if markers:
        label = escape(_("break-even"))
        parts.append(
            f'<circle cx="{LEGEND_X + 14}" cy="{row}" r="6" fill="none" stroke="#111827" '
            f'stroke-width="2"/><text x="{LEGEND_X + 36}" y="{row + 4}" '
            f'fill="#111827">{label}</text>'
        )
    return parts


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value * (1 - 1e-12):
            return factor * power
    return 10 * power


def _ticks(top: float) -> list[float]:
    """Five or so evenly spaced gridlines from 0 to ``top``."""
    mantissa = round(top / 10 ** math.floor(math.log10(top)), 6)
    count = 4 if mantissa == 2 else 5
    return [top * i / count for i in range(count + 1)]


def _x_step(steps: int) -> int:
    return 6 if steps >= 24 else max(1, steps // 6)


def _money(value: float) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"${value / scale:,.4g}{suffix}"
    return f"${value:,.4g}"
