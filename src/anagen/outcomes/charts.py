"""Server-side SVG progress charts, written by hand: crisp at any size, printable, and readable
without colour (markers of different shapes, solid vs dashed lines, direct labels), with a text
table beside them in the page for anyone who cannot see the chart.

The same SVG is embedded in the PDF report (fpdf2 draws SVG natively), so the screen and the
paper show one drawing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from anagen.core import display

WIDTH = 640
HEIGHT = 270
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 44, 46
INK = "#1f2933"
MUTED = "#52606d"
BAND_FILL = "#d9e2ec"
SCREEN_FONTS = "Noto Sans, DejaVu Sans, Arial, sans-serif"
PDF_FONT = "noto"  # the family the report registers with fpdf2 (outcomes/pdf.py)
MARKERS = ("circle", "square", "triangle", "diamond")
LINE_COLOURS = ("#1f4e79", "#7b341e", "#22543d", "#553c9a")


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[dt.date, float], ...]
    marker: str = "circle"
    dashed: bool = False
    unit: str = ""


@dataclass(frozen=True)
class BandSeries:
    """The forecast band by date: 10%, 50% and 90% lines."""

    dates: tuple[dt.date, ...]
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]
    label: str = "forecast 10-90%"


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    y_label: str
    series: tuple[Series, ...]
    sessions: tuple[dt.date, ...] = ()
    baseline: float | None = None
    baseline_label: str = "baseline"
    band: BandSeries | None = None
    y_floor: float | None = None
    y_ceiling: float | None = None
    integer_axis: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Issue 17: the untreated course drawn beside the treated band (outlined, dashed, unfilled).
    untreated_band: BandSeries | None = None

    @property
    def has_data(self) -> bool:
        return any(s.points for s in self.series)


def _nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / max(target_ticks, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _marker(shape: str, x: float, y: float, colour: str, title: str, for_pdf: bool = False) -> str:
    t = "" if for_pdf else f"<title>{escape(title)}</title>"
    if shape == "square":
        return f'<rect class="point" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{t}</rect>'
    if shape == "triangle":
        return (f'<polygon class="point" points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
                f'fill="{colour}">{t}</polygon>')
    if shape == "diamond":
        return (f'<polygon class="point" points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" '
                f'fill="white" stroke="{colour}" stroke-width="2">{t}</polygon>')
    return f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{t}</circle>'


def render_svg(chart: Chart, *, width: int = WIDTH, height: int = HEIGHT, for_pdf: bool = False) -> str:
    """The chart as a standalone SVG document (role="img", titled and described). ``for_pdf``
    leaves out the <title>/<desc> accessibility elements, which fpdf2 does not draw anyway."""
    dates = [d for s in chart.series for d, _ in s.points] + list(chart.sessions)
    values = [v for s in chart.series for _, v in s.points]
    if chart.baseline is not None:
        values.append(chart.baseline)
    for band in (chart.band, chart.untreated_band):
        if band is not None and band.dates:
            dates += [band.dates[0], band.dates[-1]]
            values += [min(band.p10), max(band.p90)]
    title_id = f"{chart.chart_id}-title"
    desc_id = f"{chart.chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" id={quoteattr(chart.chart_id)} '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{PDF_FONT if for_pdf else SCREEN_FONTS}">'
        + ("" if for_pdf else f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(_description(chart))}</desc>')
        + f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold" fill="{INK}">{escape(chart.title)}</text>'
    )
    if not values or not dates:
        return head + (f'<text x="{LEFT}" y="{height / 2:.0f}" font-size="13" fill="{MUTED}">No measurements recorded yet.</text></svg>')

    first, last = min(dates), max(dates)
    if first == last:
        first, last = first - dt.timedelta(days=15), last + dt.timedelta(days=15)
    span_days = (last - first).days
    first -= dt.timedelta(days=max(3, span_days // 30))
    last += dt.timedelta(days=max(3, span_days // 30))
    span_days = (last - first).days
    lo, hi = min(values), max(values)
    if chart.y_floor is not None:
        lo = min(lo, chart.y_floor)
    if chart.y_ceiling is not None:
        hi = max(hi, chart.y_ceiling)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo)
    if chart.integer_axis:
        step = max(1.0, round(step))
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    if chart.y_floor is not None:
        lo = max(lo, chart.y_floor)
    plot_w = width - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM

    def x_of(day: dt.date) -> float:
        return LEFT + plot_w * (day - first).days / span_days

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - lo) / (hi - lo))

    parts = [head]
    # Legend (top right): shapes and line styles, so the chart reads in black and white.
    legend: list[tuple[str, str, bool, str]] = [(s.marker, s.name, s.dashed, LINE_COLOURS[i % 4]) for i, s in enumerate(chart.series)]
    lx = width - RIGHT
    items = []
    for shape, name, dashed, colour in reversed(legend):
        text_w = 7 * len(name) + 30
        lx -= text_w
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        items.append(
            f'<g class="legend-item"><line x1="{lx:.0f}" y1="30" x2="{lx + 20:.0f}" y2="30" stroke="{colour}" stroke-width="2"{dash}/>'
            + _marker(shape, lx + 10, 30, colour, name, for_pdf)
            + f'<text x="{lx + 24:.0f}" y="34" font-size="11" fill="{INK}">{escape(name)}</text></g>'
        )
    parts.extend(reversed(items))

    # Axes and grid.
    parts.append(f'<g class="axes" font-size="11" fill="{MUTED}">')
    tick = lo
    while tick <= hi + step / 2:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#e4e7eb" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
        tick += step
    month = dt.date(first.year, first.month, 1)
    months = []
    while month <= last:
        if month >= first:
            months.append(month)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    every = max(1, math.ceil(len(months) / 8))
    for i, m in enumerate(months):
        x = x_of(m)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 4}" stroke="{MUTED}"/>')
        if i % every == 0:
            label = m.strftime("%b %Y") if m.month == 1 or i == 0 else m.strftime("%b")
            parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{width - RIGHT}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
        f'text-anchor="middle">{escape(chart.y_label)}</text></g>'
    )

    def band_points(band: BandSeries) -> tuple[str, str]:
        """The band's outline (p90 forward, p10 back) and its median line, as SVG points."""
        def points(dates: list[dt.date], values: list[float]) -> str:
            return " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in zip(dates, values, strict=True))

        return (f"{points(list(band.dates), list(band.p90))} {points(list(reversed(band.dates)), list(reversed(band.p10)))}",
                points(list(band.dates), list(band.p50)))

    # Forecast band behind the measurements.
    if chart.band is not None and chart.band.dates:
        band = chart.band
        outline, median = band_points(band)
        parts.append(
            '<g class="forecast-band">' + ("" if for_pdf else f"<title>{escape(band.label)}</title>")
            + f'<polygon points="{outline}" fill="{BAND_FILL}" stroke="none"/>'
            f'<polyline points="{median}" fill="none" stroke="{MUTED}" stroke-width="1" stroke-dasharray="2 3"/>'
            f'<text x="{x_of(band.dates[-1]) - 4:.1f}" y="{y_of(band.p10[-1]) + 12:.1f}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{escape(band.label)}</text></g>'
        )

    # The untreated course: outlined and dashed, so it reads apart from the treated band in black
    # and white, with its own label at its start.
    if chart.untreated_band is not None and chart.untreated_band.dates:
        band = chart.untreated_band
        outline, median = band_points(band)
        parts.append(
            '<g class="untreated-band">' + ("" if for_pdf else f"<title>{escape(band.label)}</title>")
            + f'<polygon points="{outline}" fill="none" stroke="{MUTED}" stroke-width="1" stroke-dasharray="5 3"/>'
            f'<polyline points="{median}" fill="none" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="1 3"/>'
            f'<text x="{x_of(band.dates[-1]) - 4:.1f}" y="{y_of(band.p90[-1]) - 6:.1f}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{escape(band.label)}</text></g>'
        )

    # Baseline.
    if chart.baseline is not None:
        y = y_of(chart.baseline)
        parts.append(
            f'<g class="baseline"><line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-width="1" stroke-dasharray="8 3 2 3"/>'
            f'<text x="{LEFT + 4}" y="{y - 4:.1f}" font-size="10" fill="{INK}">{escape(chart.baseline_label)} {_fmt(chart.baseline)}</text></g>'
        )

    # Sessions on the time axis.
    if chart.sessions:
        parts.append('<g class="sessions">')
        base_y = TOP + plot_h
        for day in sorted(chart.sessions):
            x = x_of(day)
            parts.append(
                f'<polygon class="session-marker" points="{x:.1f},{base_y - 8:.1f} {x + 4:.1f},{base_y:.1f} {x - 4:.1f},{base_y:.1f}" '
                f'fill="{MUTED}">' + ("" if for_pdf else f"<title>Treatment session {display.day(day)}</title>") + "</polygon>"
            )
        parts.append(f'<text x="{LEFT}" y="{height - 8}" font-size="10" fill="{MUTED}">Triangles on the time axis: treatment sessions</text></g>')

    # Measurements.
    for i, s in enumerate(chart.series):
        colour = LINE_COLOURS[i % 4]
        if not s.points:
            continue
        pts = sorted(s.points)
        coords = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in pts)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        if len(pts) > 1:
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for d, v in pts:
            parts.append(_marker(s.marker, x_of(d), y_of(v), colour, f"{s.name} {_fmt(v)}{s.unit} on {display.day(d)}", for_pdf))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _description(chart: Chart) -> str:
    bits = []
    for s in chart.series:
        if s.points:
            readings = "; ".join(f"{display.day(d)}: {_fmt(v)}{s.unit}" for d, v in sorted(s.points))
            bits.append(f"{s.name}: {readings}.")
    if chart.baseline is not None:
        bits.append(f"{chart.baseline_label}: {_fmt(chart.baseline)}.")
    if chart.sessions:
        bits.append(f"{len(chart.sessions)} treatment sessions marked.")
    if chart.band is not None:
        bits.append(f"Shaded: {chart.band.label}.")
    if chart.untreated_band is not None:
        bits.append(f"Dashed outline: {chart.untreated_band.label}.")
    return " ".join(bits) or "No measurements recorded yet."


def chart_dates(sessions: Sequence[dt.date]) -> tuple[dt.date, ...]:
    return tuple(sorted(set(sessions)))
