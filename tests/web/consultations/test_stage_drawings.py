from __future__ import annotations

import xml.etree.ElementTree as ET

from anagen.consultations.templatetags.stage_drawings import stage_drawing
from anagen.core.scales import SCALES


def test_every_stage_of_every_scale_has_a_drawing_that_parses_as_svg():
    for scale, definition in SCALES.items():
        for stage in definition.stages:
            svg = stage_drawing(scale.value, stage)
            root = ET.fromstring(svg)
            assert root.tag.endswith("svg"), (scale, stage)
            assert stage in root.attrib["aria-label"]


def test_later_norwood_stages_show_more_scalp():
    def scalp_area(stage: str) -> float:
        root = ET.fromstring(stage_drawing("norwood_hamilton", stage))
        return sum(float(e.attrib["rx"]) * float(e.attrib["ry"]) for e in root.iter() if e.tag.endswith("ellipse") and e.attrib.get("class") == "scalp")

    assert scalp_area("VII") > scalp_area("VI") > scalp_area("Va") > scalp_area("IIIa")


def test_an_unknown_stage_draws_nothing():
    assert stage_drawing("ludwig", "IX") == ""
