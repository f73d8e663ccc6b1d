"""Charts as inline SVG text: no plotting library, no fonts or scripts to fetch.

The review report must open offline, so the chart is plain SVG markup (valid XML) that
an HTML page embeds inline and a Markdown record links as a file beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .costs import CostEstimate

COLORS = {"rag": "#2563eb", "fine-tune": "#c2410c", "hybrid": "#047857"}

WIDTH, HEIGHT = 820, 370
LEFT, RIGHT, TOP, BOTTOM = 76, 560, 24, 316  # the plot area
LEGEND_X = 590


@dataclass(frozen=True)
class Series:
    """One line: a value per x step (0, 1, 2...), drawn solid or dashed."""

    label: str
    values: Sequence[float]
    color: str
    dashed: bool = False
    sets_scale: bool = True


@dataclass(frozen=True)
class Marker:
    """A labelled point, e.g. where two cumulative costs cross."""

    x: float
    y: float
    label: str


def cumulative_cost_chart(costs: CostEstimate) -> str:
    """Cumulative cost per option over the horizon; break-even points marked."""
    months = range(costs.horizon_months + 1)
    series = [
        Series(
            option.name,
            [option.cumulative(m) for m in months],
            COLORS[option.approach],
            dashed=not option.primary,
            sets_scale=option.primary,
        )
        for option in costs.options
    ]
    markers = [
        Marker(b.at, costs.option(b.first).cumulative(b.at),
               f"{b.cheaper_after} overtakes {b.cheaper_before} (month {b.month})")
        for b in costs.break_even
        if b.at is not None
    ]
    return line_chart(
        series,
        title=f"Cumulative cost over {costs.horizon_months} months (USD)",
        x_unit="month",
        markers=markers,
    )


def line_chart(series: Sequence[Series], *, title: str, x_unit: str,
               markers: Sequence[Marker] = ()) -> str:
    """An SVG line chart of ``series`` against their index, with axes and a legend.

    The y axis fits the series that set the scale; a series that does not and would
    squash them (more than twice their top) runs off the plot, clipped, and its legend
    entry says where it ends.
    """
    steps = max(len(s.values) for s in series) - 1
    scaled = max((v for s in series if s.sets_scale for v in s.values), default=0)
    everything = max((v for s in series for v in s.values), default=0)
    top = _nice_ceiling(everything if everything <= 2 * scaled else scaled)
    y_ticks = _ticks(top)

    def x(step: float) -> float:
        return LEFT + (RIGHT - LEFT) * step / max(steps, 1)

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<defs><clipPath id="plot-area"><rect x="{LEFT}" y="{TOP - 4}" '
        f'width="{RIGHT - LEFT}" height="{BOTTOM - TOP + 4}"/></clipPath></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for value in y_ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{RIGHT}" y2="{y(value):.1f}" '
            f'stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'fill="#374151">{escape(_money(value))}</text>'
        )
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
        f'fill="#374151">{escape(x_unit)}s</text>'
    )
    for s in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        dash = ' stroke-dasharray="6 4" stroke-opacity="0.75"' if s.dashed else ""
        width = "1.5" if s.dashed else "2.5"
        parts.append(
            f'<polyline fill="none" stroke="{s.color}" stroke-width="{width}"{dash} '
            f'clip-path="url(#plot-area)" points="{points}">'
            f"<title>{escape(s.label)}</title></polyline>"
        )
    for m in markers:
        parts.append(
            f'<circle cx="{x(m.x):.1f}" cy="{y(m.y):.1f}" r="5" fill="#ffffff" '
            f'stroke="#111827" stroke-width="2"><title>{escape(m.label)}</title></circle>'
        )
    row = TOP + 8
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line x1="{LEGEND_X}" y1="{row}" x2="{LEGEND_X + 28}" y2="{row}" '
            f'stroke="{s.color}" stroke-width="{"1.5" if s.dashed else "2.5"}"{dash}/>'
            f'<text x="{LEGEND_X + 36}" y="{row + 4}" fill="#111827">{escape(s.label)}</text>'
        )
        if max(s.values, default=0) > top:
            row += 16
            parts.append(
                f'<text x="{LEGEND_X + 36}" y="{row + 4}" fill="#6b7280" font-size="11">'
                f"off the chart: {escape(_money(s.values[-1]))} at {escape(x_unit)} {steps}"
                "</text>"
            )
        row += 24
    if markers:
        parts.append(
            f'<circle cx="{LEGEND_X + 14}" cy="{row}" r="5" fill="#ffffff" stroke="#111827" '
            f'stroke-width="2"/><text x="{LEGEND_X + 36}" y="{row + 4}" '
            f'fill="#111827">break-even</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


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
