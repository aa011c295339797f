"""Scalp and hair measurements, range-checked, and their standard readings (domain.md §4).

Every constructor checks its values and raises InvalidInput naming each bad field: a density of
900/cm² or a negative count never enters the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from anagen.core.protocol import Protocol, PullTestCriterion
from anagen.core.validation import Checks

# Plausibility limits (not clinical thresholds): the densest scalps measured are Caucasian
# ~214-230/cm² (Birnbaum 2017) and Asian 175/cm² (Loussouarn 2005); 500/cm² leaves ample headroom.
MAX_DENSITY_PER_CM2 = 500
# Terminal shafts are ~61±8 µm in women (Rakowska 2009); coarse Asian hair reaches ~120 µm.
MIN_SHAFT_DIAMETER_UM = 5
MAX_SHAFT_DIAMETER_UM = 200
MAX_HAIR_COUNT = 5000


class ScalpZone(StrEnum):
    """Treatment and measurement zones (domain.md §7)."""

    FRONTAL = "frontal"
    MID_SCALP = "mid_scalp"
    VERTEX = "vertex"
    TEMPORAL_LEFT = "temporal_left"
    TEMPORAL_RIGHT = "temporal_right"
    OCCIPITAL = "occipital"


# --- Pull test --------------------------------------------------------------------------------


class PullTestResult(StrEnum):
    NORMAL = "normal"
    POSITIVE = "positive"


@dataclass(frozen=True)
class PullTest:
    """A pull test: about 40-60 hairs grasped, the number extracted counted (McDonald 2017 JAAD)."""

    grasped: int
    extracted: int

    def __post_init__(self) -> None:
        c = Checks()
        if c.integer("grasped", self.grasped, 1, 200) and c.integer("extracted", self.extracted, 0, 200):
            c.require(self.extracted <= self.grasped, "extracted", "cannot exceed the hairs grasped")
        c.done()


@dataclass(frozen=True)
class PullTestReading:
    result: PullTestResult
    extracted_pct: Decimal
    # The technique grasps 40-60 hairs (McDonald 2017); other counts are read but flagged.
    standard_technique: bool
    criterion: PullTestCriterion
    source: str


def read_pull_test(test: PullTest, protocol: Protocol) -> PullTestReading:
    """Normal or positive. McDonald 2017 JAAD: normal is ≤2 hairs extracted; Shapiro 2000: >10%
    extracted is the classic positive. Which cut-off applies is clinic protocol
    (configurable: Protocol.pull_test_criterion)."""
    pct = Decimal(test.extracted) * 100 / Decimal(test.grasped)
    if protocol.pull_test_criterion is PullTestCriterion.MCDONALD_2017:
        positive = test.extracted > 2
        source = "McDonald 2017 JAAD (normal ≤2 hairs extracted)"
    else:
        positive = pct > 10
        source = "Shapiro 2000 (>10% of grasped hairs extracted is positive)"
    return PullTestReading(
        PullTestResult.POSITIVE if positive else PullTestResult.NORMAL,
        pct.quantize(Decimal("0.1")),
        40 <= test.grasped <= 60,
        protocol.pull_test_criterion,
        source,
    )


# --- Modified wash test -----------------------------------------------------------------------


class WashTestReading(StrEnum):
    """Rebora 2005's four readings of the modified wash test."""

    ANDROGENETIC_ALOPECIA = "androgenetic_alopecia"
    CHRONIC_TELOGEN_EFFLUVIUM = "chronic_telogen_effluvium"
    BOTH = "androgenetic_alopecia_and_chronic_telogen_effluvium"
    REMISSION_OR_NORMAL = "telogen_effluvium_in_remission_or_normal"


# Rebora 2005: 100 shed hairs after 5 days without shampoo, and 10% of them ≤3 cm long.
WASH_TEST_SHED_THRESHOLD = 100
WASH_TEST_SHORT_SHARE_PCT = Decimal("10")


@dataclass(frozen=True)
class WashTest:
    """Modified wash test (Rebora 2005): after 5 days without shampoo, all shed hairs are counted
    and those ≤3 cm long (vellus) counted separately."""

    shed_count: int
    short_hairs_count: int

    def __post_init__(self) -> None:
        c = Checks()
        if c.integer("shed_count", self.shed_count, 0, MAX_HAIR_COUNT) and c.integer(
            "short_hairs_count", self.short_hairs_count, 0, MAX_HAIR_COUNT
        ):
            c.require(self.short_hairs_count <= self.shed_count, "short_hairs_count", "cannot exceed shed_count")
        c.done()

    @property
    def short_share_pct(self) -> Decimal:
        if self.shed_count == 0:
            return Decimal(0)
        return Decimal(self.short_hairs_count) * 100 / Decimal(self.shed_count)


def read_wash_test(test: WashTest) -> WashTestReading:
    """Rebora 2005: <100 shed and ≥10% short → AGA; ≥100 and <10% → chronic TE; ≥100 and ≥10% →
    both; <100 and <10% → TE in remission or normal."""
    many = test.shed_count >= WASH_TEST_SHED_THRESHOLD
    short = test.short_share_pct >= WASH_TEST_SHORT_SHARE_PCT
    if many and short:
        return WashTestReading.BOTH
    if many:
        return WashTestReading.CHRONIC_TELOGEN_EFFLUVIUM
    if short:
        return WashTestReading.ANDROGENETIC_ALOPECIA
    return WashTestReading.REMISSION_OR_NORMAL


# --- 60-second comb count ---------------------------------------------------------------------

# Wasko 2008 Arch Dermatol 144:759: mean ~10 hairs in men aged 20-60.
COMB_COUNT_REFERENCE_MEAN = 10


@dataclass(frozen=True)
class CombCount:
    """Hairs shed while combing for 60 seconds before shampooing (Wasko 2008)."""

    count: int

    def __post_init__(self) -> None:
        c = Checks()
        c.integer("count", self.count, 0, MAX_HAIR_COUNT)
        c.done()

    @property
    def above_reference_mean(self) -> bool:
        """Above the ~10-hair mean of men aged 20-60 (Wasko 2008); a reference, not a diagnosis."""
        return self.count > COMB_COUNT_REFERENCE_MEAN


# --- Trichoscopy ------------------------------------------------------------------------------


def same_site(zone: str | None, site_offset_cm: Decimal | None, other_zone: str | None, other_offset_cm: Decimal | None) -> bool:
    """Whether two readings were taken at the same recorded site: the same zone and the same
    distance behind the hairline. A patient is compared only with themself at the same site
    (domain.md §4); a reading with no recorded zone is at no site, so it matches none."""
    return bool(zone) and zone == other_zone and site_offset_cm == other_offset_cm


@dataclass(frozen=True)
class Trichoscopy:
    """Trichoscopy / phototrichogram at one recorded site (domain.md §4).

    Compare a patient only with themself at the same site: ``zone`` plus ``site_offset_cm``
    (e.g. cm behind the hairline on the midline). Measures not taken are ``None``; density is
    always required. Hairs under 30 µm are the thin (vellus-range) hairs of Rakowska 2009.
    """

    zone: ScalpZone
    site_offset_cm: Decimal
    density_per_cm2: Decimal
    thin_hairs_pct: Decimal | None
    mean_shaft_diameter_um: Decimal | None
    terminal_to_vellus_ratio: Decimal | None
    anagen_pct: Decimal | None
    telogen_pct: Decimal | None
    yellow_dots_count: int | None

    def __post_init__(self) -> None:
        c = Checks()
        c.require(self.zone in set(ScalpZone), "zone", f"one of {', '.join(ScalpZone)}")
        c.number("site_offset_cm", self.site_offset_cm, 0, 30, "cm")
        c.number("density_per_cm2", self.density_per_cm2, 0, MAX_DENSITY_PER_CM2, "hairs/cm²")
        c.optional_number("thin_hairs_pct", self.thin_hairs_pct, 0, 100, "%")
        c.optional_number(
            "mean_shaft_diameter_um", self.mean_shaft_diameter_um, MIN_SHAFT_DIAMETER_UM, MAX_SHAFT_DIAMETER_UM, "µm"
        )
        c.optional_number("terminal_to_vellus_ratio", self.terminal_to_vellus_ratio, 0, 1000)
        anagen_ok = c.optional_number("anagen_pct", self.anagen_pct, 0, 100, "%")
        telogen_ok = c.optional_number("telogen_pct", self.telogen_pct, 0, 100, "%")
        if anagen_ok and telogen_ok and self.anagen_pct is not None and self.telogen_pct is not None:
            c.require(self.anagen_pct + self.telogen_pct <= 100, "telogen_pct", "anagen_pct + telogen_pct cannot exceed 100")
        c.optional_integer("yellow_dots_count", self.yellow_dots_count, 0, 1000)
        c.done()

    def same_site_as(self, other: Trichoscopy) -> bool:
        return same_site(self.zone, self.site_offset_cm, other.zone, other.site_offset_cm)


# --- Rakowska criteria for female pattern hair loss -------------------------------------------


@dataclass(frozen=True)
class RakowskaFindings:
    """Trichoscopic findings for Rakowska 2009 Int J Trichol 1:123 (frontal vs occipital)."""

    yellow_dots_frontal: int
    mean_diameter_frontal_um: Decimal
    mean_diameter_occipital_um: Decimal
    thin_hairs_frontal_pct: Decimal
    single_hair_units_ratio: Decimal
    vellus_ratio: Decimal
    perifollicular_discoloration_ratio: Decimal

    def __post_init__(self) -> None:
        c = Checks()
        c.integer("yellow_dots_frontal", self.yellow_dots_frontal, 0, 1000)
        for name in ("mean_diameter_frontal_um", "mean_diameter_occipital_um"):
            c.number(name, getattr(self, name), MIN_SHAFT_DIAMETER_UM, MAX_SHAFT_DIAMETER_UM, "µm")
        c.number("thin_hairs_frontal_pct", self.thin_hairs_frontal_pct, 0, 100, "%")
        for name in ("single_hair_units_ratio", "vellus_ratio", "perifollicular_discoloration_ratio"):
            c.number(name, getattr(self, name), 0, 100)
        c.done()


@dataclass(frozen=True)
class RakowskaReading:
    major_criteria_met: tuple[str, ...]
    minor_criteria_met: tuple[str, ...]
    female_pattern_hair_loss: bool
    source: str = "Rakowska 2009 Int J Trichol 1:123"


def read_rakowska(findings: RakowskaFindings) -> RakowskaReading:
    """Rakowska 2009 Int J Trichol 1:123. Major: >4 yellow dots frontal; lower mean thickness
    frontal than occipital; >10% thin (<30 µm) hairs frontal. Minor (frontal:occipital ratios):
    single-hair units >2:1; vellus hairs >1.5:1; perifollicular discoloration >3:1.
    Female AGA = 2 major, or 1 major + 2 minor."""
    major = []
    if findings.yellow_dots_frontal > 4:
        major.append("yellow_dots_frontal_over_4")
    if findings.mean_diameter_frontal_um < findings.mean_diameter_occipital_um:
        major.append("frontal_thinner_than_occipital")
    if findings.thin_hairs_frontal_pct > 10:
        major.append("thin_hairs_frontal_over_10_pct")
    minor = []
    if findings.single_hair_units_ratio > 2:
        minor.append("single_hair_units_ratio_over_2")
    if findings.vellus_ratio > Decimal("1.5"):
        minor.append("vellus_ratio_over_1_5")
    if findings.perifollicular_discoloration_ratio > 3:
        minor.append("perifollicular_discoloration_ratio_over_3")
    positive = len(major) >= 2 or (len(major) >= 1 and len(minor) >= 2)
    return RakowskaReading(tuple(major), tuple(minor), positive)


# --- Global photographic assessment -----------------------------------------------------------

# Seven-point global photographic assessment, -3..+3 (domain.md §4; as used in the minoxidil trials).
GLOBAL_PHOTO_LABELS: dict[int, str] = {
    -3: "greatly decreased",
    -2: "moderately decreased",
    -1: "slightly decreased",
    0: "no change",
    1: "slightly increased",
    2: "moderately increased",
    3: "greatly increased",
}


@dataclass(frozen=True)
class GlobalPhotographicAssessment:
    """Standard global photographs compared with baseline on a 7-point scale -3..+3 (domain.md §4)."""

    score: int

    def __post_init__(self) -> None:
        c = Checks()
        c.integer("score", self.score, -3, 3)
        c.done()

    @property
    def label(self) -> str:
        return GLOBAL_PHOTO_LABELS[self.score]
