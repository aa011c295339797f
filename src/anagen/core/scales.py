"""Clinical grading scales for pattern hair loss.

Sources (domain.md §4): Norwood-Hamilton (Norwood 1975): I, II, IIa, III, IIIa, III vertex, IV,
IVa, V, Va, VI, VII. Ludwig (1977): I-III. Sinclair: 1-5, graded by midline part width. Savin:
I-1..I-4, II-1, II-2, III, advanced, frontal. Which stages count as *advanced* (and so call for
combination therapy, per the source article) is clinic protocol:
``Protocol.advanced_stages``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from anagen.core.errors import InvalidInput

if TYPE_CHECKING:
    from anagen.core.protocol import Protocol


class Scale(StrEnum):
    NORWOOD_HAMILTON = "norwood_hamilton"
    LUDWIG = "ludwig"
    SINCLAIR = "sinclair"
    SAVIN = "savin"


@dataclass(frozen=True)
class ScaleDefinition:
    scale: Scale
    name: str
    source: str
    # Stage code -> description, in order of severity.
    stages: Mapping[str, str]

    @property
    def stage_codes(self) -> tuple[str, ...]:
        return tuple(self.stages)


_NORWOOD = ScaleDefinition(
    Scale.NORWOOD_HAMILTON,
    "Norwood-Hamilton (male pattern)",
    "Norwood 1975",
    MappingProxyType(
        {
            "I": "No or minimal recession of the frontotemporal hairline.",
            "II": "Symmetrical triangular frontotemporal recession, no deeper than about 2 cm in front of a line joining the ears.",
            "IIa": "Type A variant of II: the whole anterior hairline recedes to stage II depth, without a midfrontal island.",
            "III": "Deep symmetrical frontotemporal recession, bare or sparsely covered: the first cosmetically significant stage.",
            "IIIa": "Type A variant of III: the whole anterior hairline recedes to stage III depth.",
            "III-vertex": "Frontotemporal recession of stage II-III with hair loss chiefly at the vertex (crown).",
            "IV": "Frontotemporal recession deeper than III and sparse or absent hair at the vertex, separated by a band of moderately dense hair.",
            "IVa": "Type A variant of IV: the anterior hairline recedes beyond stage IIIa, with no midscalp bridge.",
            "V": "Vertex and frontotemporal areas still separate, but the band between them is narrower and sparser.",
            "Va": "Type A variant of V: the receding area reaches back to the vertex.",
            "VI": "The bridge across the crown is gone; frontotemporal and vertex areas join.",
            "VII": "Only a narrow horseshoe-shaped band of hair remains at the sides and back.",
        }
    ),
)

_LUDWIG = ScaleDefinition(
    Scale.LUDWIG,
    "Ludwig (female pattern)",
    "Ludwig 1977",
    MappingProxyType(
        {
            "I": "Perceptible thinning over the crown, bounded in front by a line 1-3 cm behind the frontal hairline.",
            "II": "Pronounced thinning (rarefaction) within the same area.",
            "III": "Full or near-full baldness within that area; the frontal hairline is preserved.",
        }
    ),
)

_SINCLAIR = ScaleDefinition(
    Scale.SINCLAIR,
    "Sinclair (female pattern, midline part width)",
    "Sinclair scale (domain.md §4)",
    MappingProxyType(
        {
            "1": "Normal midline part.",
            "2": "Widening of the central part.",
            "3": "Widening of the central part and thinning of the hair on either side of it.",
            "4": "Emergence of diffuse hair loss over the top of the scalp.",
            "5": "Advanced hair loss over the top of the scalp.",
        }
    ),
)

_SAVIN = ScaleDefinition(
    Scale.SAVIN,
    "Savin (female pattern, density along the midline part)",
    "Savin scale (domain.md §4)",
    MappingProxyType(
        {
            "I-1": "Normal density along the midline part.",
            "I-2": "Slight widening of the midline part.",
            "I-3": "Further widening of the part with visible thinning beside it.",
            "I-4": "Marked widening of the part with thinning over the crown.",
            "II-1": "Diffuse thinning over the crown, scalp clearly visible.",
            "II-2": "More pronounced diffuse thinning over the crown.",
            "III": "Extensive thinning over the crown with large areas of visible scalp.",
            "advanced": "Advanced hair loss over the top of the scalp.",
            "frontal": "Frontal accentuation: thinning extends to or through the frontal hairline.",
        }
    ),
)

SCALES: Mapping[Scale, ScaleDefinition] = MappingProxyType(
    {definition.scale: definition for definition in (_NORWOOD, _LUDWIG, _SINCLAIR, _SAVIN)}
)
"""Registry of every supported scale (Norwood 1975, Ludwig 1977, Sinclair, Savin; domain.md §4)."""

# Clinic protocol default for Protocol.advanced_stages: the stages where the source article's
# "advanced baldness" (combination therapy advised) begins. A choice, not evidence.
DEFAULT_ADVANCED_STAGES: frozenset[tuple[Scale, str]] = frozenset(
    {
        (Scale.NORWOOD_HAMILTON, "V"),
        (Scale.NORWOOD_HAMILTON, "Va"),
        (Scale.NORWOOD_HAMILTON, "VI"),
        (Scale.NORWOOD_HAMILTON, "VII"),
        (Scale.LUDWIG, "III"),
        (Scale.SINCLAIR, "5"),
        (Scale.SAVIN, "III"),
        (Scale.SAVIN, "advanced"),
    }
)


def _check(scale: Scale | str, stage: str, field: str = "stage") -> tuple[Scale, str]:
    try:
        known = Scale(scale)
    except ValueError:
        raise InvalidInput.single("scale", f"unknown scale {scale!r}; one of {', '.join(s.value for s in Scale)}") from None
    definition = SCALES[known]
    if stage not in definition.stages:
        raise InvalidInput.single(
            field, f"{stage!r} is not a {definition.name} stage; one of {', '.join(definition.stage_codes)}"
        )
    return known, stage


@dataclass(frozen=True)
class PatternStage:
    """A graded hair-loss pattern: a scale and one of its stages (validated)."""

    scale: Scale
    stage: str

    def __post_init__(self) -> None:
        known, _ = _check(self.scale, self.stage)
        object.__setattr__(self, "scale", known)

    @property
    def description(self) -> str:
        return SCALES[self.scale].stages[self.stage]


def stage_description(scale: Scale | str, stage: str) -> str:
    """Description of a stage (Norwood 1975, Ludwig 1977, Sinclair, Savin; domain.md §4)."""
    known, stage = _check(scale, stage)
    return SCALES[known].stages[stage]


def is_advanced(scale: Scale | str, stage: str, protocol: Protocol) -> bool:
    """Whether a stage is *advanced*: clinic protocol (configurable: Protocol.advanced_stages).

    The source article advises combination therapy for advanced baldness; where "advanced" begins
    on each scale is the clinic's choice (default: DEFAULT_ADVANCED_STAGES).
    """
    known, stage = _check(scale, stage)
    return (known, stage) in protocol.advanced_stages
