"""The scalp diagram (top view, face at the top) drawn from stored injection-map data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
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


@register.simple_tag
def scalp_map(points: list[dict[str, Any]] | None = None, *, editable: bool = False, size: int = 320, element_id: str = "") -> SafeString:
    zones = format_html_join(
        "",
        '<rect class="zone" data-zone="{}" x="{}" y="{}" width="{}" height="{}" clip-path="url(#head-clip)" role="{}" aria-label="{}" tabindex="{}"><title>{}</title></rect>'
        '<text class="zone-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (zone, x, y, w, h, "button" if editable else "img", f"{ZONE_LABELS[zone]} zone", "0" if editable else "-1",
             ZONE_LABELS[zone], x + w / 2, y + h / 2 + 4, ZONE_LABELS[zone])
            for zone, (x, y, w, h) in ZONE_BOXES.items()
        ),
    )
    dots = format_html_join(
        "",
        '<circle class="point" cx="{}" cy="{}" r="{}"><title>{} mL</title></circle>',
        (
            (round(float(Decimal(str(p["x"]))) * WIDTH, 1), round(float(Decimal(str(p["y"]))) * HEIGHT, 1),
             round(2.5 + 6 * float(Decimal(str(p["volume_ml"]))), 1), p["volume_ml"])
            for p in (points or [])
        ),
    )
    return format_html(
        '<svg class="scalp-map{}" {} viewBox="0 0 {} {}" width="{}" height="{}" role="group" aria-label="Scalp diagram, top view, face at the top">'
        '<defs><clipPath id="head-clip"><ellipse cx="100" cy="122" rx="82" ry="108"/></clipPath></defs>'
        '<ellipse class="head" cx="100" cy="122" rx="82" ry="108"/>'
        '<path class="nose" d="M92 14 L100 2 L108 14"/>'
        "{}<g class=\"points\">{}</g>"
        '<text class="side" x="6" y="122">L</text><text class="side" x="188" y="122">R</text></svg>',
        " editable" if editable else "",
        mark_safe(
            (f'id="{element_id}" ' if element_id else "")
            # The editing script finds its companions by these ids (procedures/record.html).
            + ('data-input="id_injection_map" data-volume="point-volume" data-table="map-points" data-totals="map-totals"' if editable else "")
        ),
        WIDTH, HEIGHT,
        size, round(size * HEIGHT / WIDTH), zones, dots,
    )
