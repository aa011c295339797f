"""A clinic's own policy: every setting that is a choice rather than evidence.

Rules that need a setting take a :class:`Protocol` argument; ``Protocol()`` gives the documented
defaults below, and the Django side stores per-clinic overrides and builds a ``Protocol`` from them
(``dataclasses.replace(Protocol(), max_session_volume_ml=Decimal("3"))``). Each default names its
basis; none of them is evidence unless the comment says so. docs/clinical-rules.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from anagen.core.scales import DEFAULT_ADVANCED_STAGES, SCALES, Scale
from anagen.core.validation import Checks

if TYPE_CHECKING:
    from anagen.core.screening import FindingCode, Severity


class PullTestCriterion(StrEnum):
    """Which published cut-off makes a pull test positive."""

    # More than 2 hairs extracted is abnormal (McDonald 2017 JAAD).
    MCDONALD_2017 = "mcdonald_2017"
    # More than 10% of the grasped hairs extracted is the classic positive (Shapiro 2000).
    SHAPIRO_2000 = "shapiro_2000"


@dataclass(frozen=True)
class Protocol:
    """Clinic-policy settings with documented defaults (clinic protocol unless stated otherwise)."""

    # --- Screening -------------------------------------------------------------------------------
    # Adults only: the source article treats "ages 18 and above" (domain.md §1, §6).
    minimum_age_years: int = 18
    # Stages that count as advanced pattern hair loss (combination therapy recommended).
    advanced_stages: frozenset[tuple[Scale, str]] = DEFAULT_ADVANCED_STAGES
    # Finding code -> severity, overriding screening.DEFAULT_SEVERITIES for this clinic.
    severity_overrides: Mapping[FindingCode, Severity] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    # --- Measurements ----------------------------------------------------------------------------
    pull_test_criterion: PullTestCriterion = PullTestCriterion.MCDONALD_2017

    # --- Formulation -----------------------------------------------------------------------------
    # Total injected volume per session. Moftah 2013 used about 2 mL (domain.md §7); 4 mL is the
    # clinic's ceiling, not evidence.
    max_session_volume_ml: Decimal = Decimal("4")

    # --- Course planning -------------------------------------------------------------------------
    # Source article: intensive phase of 6-8 sessions 1-2 weeks apart, maintenance every 1-3 months.
    # Outside these ranges the plan is allowed but carries a warning.
    recommended_intensive_sessions_min: int = 6
    recommended_intensive_sessions_max: int = 8
    recommended_interval_days_min: int = 7
    recommended_interval_days_max: int = 14
    recommended_maintenance_interval_days_min: int = 28
    recommended_maintenance_interval_days_max: int = 92
    # No two mesotherapy sessions closer than this (article: "1-2 weeks apart").
    min_session_spacing_days: int = 7
    # Whether a combination therapy (PRF, exosomes, peptides) may fall on a mesotherapy day.
    combination_same_day_allowed: bool = False

    # --- Response --------------------------------------------------------------------------------
    # Density change at the same site, % of baseline. For scale: minoxidil 5% gave +18.6 hairs/cm²
    # at 48 weeks (Olsen 2002), roughly 10% of a typical density (Birnbaum 2017).
    good_density_gain_pct: Decimal = Decimal("10")
    partial_density_gain_pct: Decimal = Decimal("3")
    worse_density_loss_pct: Decimal = Decimal("10")
    # Global photographic assessment, 7 points -3..+3 (domain.md §4).
    good_global_photo_score: int = 2
    partial_global_photo_score: int = 1
    worse_global_photo_score: int = -1
    # Shedding (wash-test or 60-second comb count) change, % of baseline.
    good_shedding_reduction_pct: Decimal = Decimal("50")
    partial_shedding_reduction_pct: Decimal = Decimal("25")
    worse_shedding_increase_pct: Decimal = Decimal("50")
    # Trials assess at 12-48 weeks; telogen lasts ~3 months (domain.md §2, Wolfram 2003).
    min_response_assessment_days: int = 84
    # Maintenance interval by response (article: every 1-3 months by response).
    maintenance_interval_days_good: int = 90
    maintenance_interval_days_partial: int = 60
    maintenance_interval_days_none: int = 30

    # --- Labs ------------------------------------------------------------------------------------
    # Many trichologists target ferritin >= 40 ng/mL; weak evidence (Olsen 2010 JAAD).
    ferritin_target_ng_ml: Decimal = Decimal("40")
    # Upper flags where domain.md gives none: typical laboratory upper limits, to be replaced by
    # the clinic's laboratory. The lab's own range is always reported beside the flag.
    ferritin_high_ng_ml: Decimal = Decimal("300")
    tsh_low_miu_l: Decimal = Decimal("0.4")
    tsh_high_miu_l: Decimal = Decimal("4.5")
    zinc_high_ug_dl: Decimal = Decimal("120")
    b12_borderline_below_pg_ml: Decimal = Decimal("300")
    b12_high_pg_ml: Decimal = Decimal("900")
    haemoglobin_high_female_g_dl: Decimal = Decimal("16")
    haemoglobin_high_male_g_dl: Decimal = Decimal("17.5")

    def __post_init__(self) -> None:
        from anagen.core.screening import FindingCode, Severity

        c = Checks()
        c.integer("minimum_age_years", self.minimum_age_years, 0, 120)
        for scale, stage in self.advanced_stages:
            c.require(
                scale in SCALES and stage in SCALES[Scale(scale)].stages,
                "advanced_stages",
                f"{scale} {stage} is not a known scale stage",
            )
        for code, severity in self.severity_overrides.items():
            c.require(code in set(FindingCode), "severity_overrides", f"unknown finding code {code!r}")
            c.require(severity in set(Severity), "severity_overrides", f"unknown severity {severity!r}")
        c.number("max_session_volume_ml", self.max_session_volume_ml, Decimal("0.1"), 20, "mL")
        c.integer("recommended_intensive_sessions_min", self.recommended_intensive_sessions_min, 1, 12)
        c.integer("recommended_intensive_sessions_max", self.recommended_intensive_sessions_max, self.recommended_intensive_sessions_min, 12)
        c.integer("recommended_interval_days_min", self.recommended_interval_days_min, 1, 365)
        c.integer("recommended_interval_days_max", self.recommended_interval_days_max, self.recommended_interval_days_min, 365)
        c.integer("recommended_maintenance_interval_days_min", self.recommended_maintenance_interval_days_min, 1, 365)
        c.integer(
            "recommended_maintenance_interval_days_max",
            self.recommended_maintenance_interval_days_max,
            self.recommended_maintenance_interval_days_min,
            365,
        )
        c.integer("min_session_spacing_days", self.min_session_spacing_days, 1, 60)
        c.boolean("combination_same_day_allowed", self.combination_same_day_allowed)
        c.number("partial_density_gain_pct", self.partial_density_gain_pct, 0, 100, "%")
        c.number("good_density_gain_pct", self.good_density_gain_pct, self.partial_density_gain_pct, 100, "%")
        c.number("worse_density_loss_pct", self.worse_density_loss_pct, 0, 100, "%")
        c.integer("partial_global_photo_score", self.partial_global_photo_score, 1, 3)
        c.integer("good_global_photo_score", self.good_global_photo_score, self.partial_global_photo_score, 3)
        c.integer("worse_global_photo_score", self.worse_global_photo_score, -3, -1)
        c.number("partial_shedding_reduction_pct", self.partial_shedding_reduction_pct, 0, 100, "%")
        c.number("good_shedding_reduction_pct", self.good_shedding_reduction_pct, self.partial_shedding_reduction_pct, 100, "%")
        c.number("worse_shedding_increase_pct", self.worse_shedding_increase_pct, 0, 1000, "%")
        c.integer("min_response_assessment_days", self.min_response_assessment_days, 0, 730)
        for name in ("good", "partial", "none"):
            attr = f"maintenance_interval_days_{name}"
            c.integer(attr, getattr(self, attr), 28, 120)
        c.number("ferritin_target_ng_ml", self.ferritin_target_ng_ml, 15, 200, "ng/mL")
        c.number("ferritin_high_ng_ml", self.ferritin_high_ng_ml, self.ferritin_target_ng_ml, 2000, "ng/mL")
        c.number("tsh_low_miu_l", self.tsh_low_miu_l, 0, 10, "mIU/L")
        c.number("tsh_high_miu_l", self.tsh_high_miu_l, self.tsh_low_miu_l, 20, "mIU/L")
        c.number("zinc_high_ug_dl", self.zinc_high_ug_dl, 70, 500, "µg/dL")
        c.number("b12_borderline_below_pg_ml", self.b12_borderline_below_pg_ml, 200, 1000, "pg/mL")
        c.number("b12_high_pg_ml", self.b12_high_pg_ml, self.b12_borderline_below_pg_ml, 5000, "pg/mL")
        c.number("haemoglobin_high_female_g_dl", self.haemoglobin_high_female_g_dl, 12, 25, "g/dL")
        c.number("haemoglobin_high_male_g_dl", self.haemoglobin_high_male_g_dl, 13, 25, "g/dL")
        c.done()
