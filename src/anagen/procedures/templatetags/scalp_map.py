"""The scalp diagram (top view, face at the top) drawn from stored injection-map data."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

WIDTH, HEIGHT = 200, 240
# Zone -> (x, y, width, height) in diagram units; the head outline clips them. Looking down on the
# head with the face at the top of the page, the patient's left is on the viewer's left.
ZONE_BOXES: dict[str, tuple[int, int, int, int]] = {
    "frontal": (40, 10, 120, 55),
    "temporal_left": (15, 65, 40, 95),
    "temporal_right": (145, 65, 40, 95),
    "mid_scalp": (55, 65, 90, 55),
    "vertex": (55, 120, 90, 55),
    "occipital": (30, 175, 140, 60),
}
ZONE_LABELS = {
    "frontal": "Frontal", "temporal_left": "Left temporal", "temporal_right": "Right temporal",
    "mid_scalp": "Mid-scalp", "vertex": "Vertex", "occipital": "Occipital",
}


@lru_cache(maxsize=2)
def _zones(editable: bool) -> SafeString:
    """The six zone boxes: the same on every diagram, so drawn once per process."""
    return format_html_join(
        "",
        '<rect class="zone" data-zone="{}" x="{}" y="{}" width="{}" height="{}" clip-path="url(#head-clip)" role="{}" aria-label="{}" tabindex="{}"><title>{}</title></rect>'
        '<text class="zone-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (zone, x, y, w, h, "button" if editable else "img", f"{ZONE_LABELS[zone]} zone", "0" if editable else "-1",
             ZONE_LABELS[zone], x + w / 2, y + h / 2 + 4, ZONE_LABELS[zone])
            for zone, (x, y, w, h) in ZONE_BOXES.items()
        ),
    )


def _dot(point: dict[str, Any]) -> str:
    # Coordinates are numbers (float() refuses anything else); the volume is escaped as text.
    x, y, volume = float(point["x"]), float(point["y"]), point["volume_ml"]
    return (f'<circle class="point" cx="{round(x * WIDTH, 1)}" cy="{round(y * HEIGHT, 1)}" r="{round(2.5 + 6 * float(volume), 1)}">'
            f"<title>{escape(volume)} mL</title></circle>")


@register.simple_tag
def scalp_map(points: list[dict[str, Any]] | None = None, *, editable: bool = False, size: int = 320, element_id: str = "") -> SafeString:
    # The patient page draws one per session, each with dozens of points: plain joins, not a
    # format_html per point.
    dots = mark_safe("".join(_dot(p) for p in (points or [])))
    return format_html(
        '<svg class="scalp-map{}" {} viewBox="0 0 {} {}" width="{}" height="{}" role="group" aria-label="Scalp diagram, top view, face at the top">'
        '<defs><clipPath id="head-clip"><ellipse cx="100" cy="122" rx="82" ry="108"/></clipPath></defs>'
        '<ellipse class="head" cx="100" cy="122" rx="82" ry="108"/>'
        '<path class="nose" d="M92 14 L100 2 L108 14"/>'
        "{}<g class=\"points\">{}</g>"
        '<text class="side" x="6" y="122">L</text><text class="side" x="188" y="122">R</text></svg>',
        " editable" if editable else "",
        mark_safe(
            (f'id="{escape(element_id)}" ' if element_id else "")
            # The editing script finds its companions by these ids (procedures/record.html).
            + ('data-input="id_injection_map" data-volume="point-volume" data-table="map-points" data-totals="map-totals"' if editable else "")
        ),
        WIDTH, HEIGHT,
        size, round(size * HEIGHT / WIDTH), _zones(editable), dots,
    )
