"""Schematic drawings of the pattern stages: the head from above, face at the top, hair dark and
the thinning or bald scalp pale. Drawn from a few shapes per stage so they stay crisp and print;
they illustrate the published scales (Norwood 1975, Ludwig 1977, Sinclair, Savin), not a patient."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# Shapes of scalp showing: ("e", cx, cy, rx, ry, opacity) ellipses and ("p", "x,y x,y ...", opacity)
# polygons, in a 100 × 120 box whose head outline is the ellipse (50, 62, 40, 52).
TEMPLE = lambda d: ("p", f"14,30 {14 + d},{20 + d / 2} 22,14", 1.0)  # noqa: E731
TEMPLE_R = lambda d: ("p", f"86,30 {86 - d},{20 + d / 2} 78,14", 1.0)  # noqa: E731

SHAPES: dict[str, dict[str, list[tuple]]] = {
    "norwood_hamilton": {
        "I": [],
        "II": [("p", "20,22 30,26 28,12", 1.0), ("p", "80,22 70,26 72,12", 1.0)],
        "IIa": [("e", 50, 14, 30, 7, 1.0)],
        "III": [("p", "16,30 34,34 30,11", 1.0), ("p", "84,30 66,34 70,11", 1.0), ("e", 50, 12, 24, 4, 1.0)],
        "IIIa": [("e", 50, 20, 32, 13, 1.0)],
        "III-vertex": [("p", "16,30 34,34 30,11", 1.0), ("p", "84,30 66,34 70,11", 1.0), ("e", 50, 12, 24, 4, 1.0), ("e", 50, 72, 10, 10, 0.8)],
        "IV": [("p", "14,34 38,40 32,10", 1.0), ("p", "86,34 62,40 68,10", 1.0), ("e", 50, 16, 30, 10, 1.0), ("e", 50, 74, 14, 13, 1.0)],
        "IVa": [("e", 50, 28, 32, 22, 1.0)],
        "V": [("e", 50, 24, 32, 18, 1.0), ("e", 50, 74, 18, 16, 1.0), ("e", 50, 50, 10, 8, 0.45)],
        "Va": [("e", 50, 38, 30, 32, 1.0)],
        "VI": [("e", 50, 46, 30, 38, 1.0)],
        "VII": [("e", 50, 50, 34, 44, 1.0)],
    },
    "ludwig": {
        "I": [("e", 50, 50, 7, 26, 0.45)],
        "II": [("e", 50, 50, 14, 32, 0.6)],
        "III": [("e", 50, 50, 24, 38, 0.9)],
    },
    "sinclair": {
        "1": [("e", 50, 48, 1.5, 32, 1.0)],
        "2": [("e", 50, 48, 4, 32, 0.8)],
        "3": [("e", 50, 48, 9, 33, 0.7)],
        "4": [("e", 50, 48, 15, 34, 0.75), ("e", 50, 30, 8, 10, 0.6)],
        "5": [("e", 50, 48, 24, 38, 0.9)],
    },
    "savin": {
        "I-1": [("e", 50, 50, 3, 28, 0.5)],
        "I-2": [("e", 50, 50, 6, 30, 0.55)],
        "I-3": [("e", 50, 50, 9, 31, 0.6)],
        "I-4": [("e", 50, 50, 12, 32, 0.65)],
        "II-1": [("e", 50, 50, 16, 34, 0.7)],
        "II-2": [("e", 50, 50, 20, 36, 0.75)],
        "III": [("e", 50, 50, 26, 40, 0.85)],
        "advanced": [("e", 50, 52, 32, 44, 0.95)],
        "frontal": [("e", 50, 22, 26, 12, 0.8), ("e", 50, 46, 12, 26, 0.5)],
    },
}


def _shape(shape: tuple) -> SafeString:
    if shape[0] == "e":
        _, cx, cy, rx, ry, opacity = shape
        return format_html('<ellipse cx="{}" cy="{}" rx="{}" ry="{}" opacity="{}" class="scalp"/>', cx, cy, rx, ry, opacity)
    _, points, opacity = shape
    return format_html('<polygon points="{}" opacity="{}" class="scalp"/>', points, opacity)


@register.simple_tag
def stage_drawing(scale: str, stage: str, size: int = 64) -> SafeString:
    shapes = SHAPES.get(scale, {}).get(stage)
    if shapes is None:
        return SafeString("")
    return format_html(
        '<svg class="stage-drawing" viewBox="0 0 100 120" width="{}" height="{}" role="img" aria-label="{}">'
        '<defs><clipPath id="stage-head"><ellipse cx="50" cy="62" rx="40" ry="52"/></clipPath></defs>'
        '<ellipse cx="50" cy="62" rx="40" ry="52" class="hair"/>'
        '<g clip-path="url(#stage-head)">{}</g>'
        '<ellipse cx="50" cy="62" rx="40" ry="52" class="outline"/><path d="M44 11 L50 2 L56 11" class="outline"/></svg>',
        size, round(size * 1.2), f"{scale.replace('_', '-').title()} {stage}, schematic top view",
        format_html_join("", "{}", ((_shape(s),) for s in shapes)),
    )
