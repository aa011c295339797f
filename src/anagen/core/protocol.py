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

    # A full re-consultation is required before further sessions once the last signed consultation
    # is older than this many months (issue 17; clinic protocol).
    reconsultation_after_months: int = 12

    # --- Measurements ----------------------------------------------------------------------------
    pull_test_criterion: PullTestCriterion = PullTestCriterion.MCDONALD_2017

    # --- Formulation -----------------------------------------------------------------------------
    # Total injected volume per session. Moftah 2013 used about 2 mL (domain.md §7); 4 mL is the
    # clinic's ceiling, not evidence.
    max_session_volume_ml: Decimal = Decimal("4")
    # Dose cap per drug per session, mg (concentration × volume); a drug without a cap is refused.
    # Default: each drug's oral daily dose in its label, because scalp injection reaches the
    # circulation (dutasteride: Sobhy 2013; minoxidil: diastolic drop after microinfusion, Basilio
    # 2025): minoxidil 5 mg (Loniten adult starting dose), dutasteride 0.5 mg (Avodart), finasteride
    # 1 mg (Propecia; Kaufman 1998). A ceiling, not evidence of safety or of benefit.
    drug_dose_caps_mg: Mapping[str, Decimal] = field(
        default_factory=lambda: MappingProxyType(
            {"minoxidil": Decimal("5"), "dutasteride": Decimal("0.5"), "finasteride": Decimal("1")}
        ),
        hash=False,
    )
    # A 5-ARI for a person able to become pregnant needs a negative pregnancy test no older than this
    # (clinic protocol; pregnancy-prevention programmes for teratogenic drugs use about a week).
    pregnancy_test_valid_days: int = 7

    # --- At the chair (core/safety.py: check_session_draw) -----------------------------------------
    # Volumes drawn from the lots, prescribed and mapped on the injection diagram must agree within
    # this many mL, or a written reason is needed before the session is signed. Default: one
    # injection point's volume (0.1-0.2 mL per point, domain.md §7): a smaller difference is the
    # granularity of the record (syringe dead space, a point not charted), a larger one is a dose
    # the record cannot account for. Clinic protocol.
    volume_reconciliation_tolerance_ml: Decimal = Decimal("0.1")

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

    # --- Portal self-service (issue 22, item 2; core/self_service.py) -----------------------------
    # A patient moves or cancels a course session in the portal only this many hours or more before
    # it starts (and moves it only to a time at least as far ahead). Default 24 h, clinic protocol,
    # not evidence: the notice most clinic systems' online cancellation policies use (Cliniko, Jane),
    # which leaves reception a working day to offer the freed time to another patient and the nurse
    # time to prepare the formulation for the new one. Inside the window the patient asks instead.
    self_service_notice_hours: int = 24

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
    # Repeatability of a density count at a marked site, coefficient of variation %: sets the
    # smallest detectable change (1.96 × √2 × CV). Default 5%, within the 2.9-6.3%
    # inter-investigator CV of a phototrichogram measured in triplicate (Yonsei phototrichogram
    # reliability study; core/response.py). A clinic with a more repeatable method sets its own.
    density_measurement_cv_pct: Decimal = Decimal("5")
    # Largest 60-second comb count inside the normal range: 0-43 in men aged 41-60 (0-78 at 20-40)
    # in Wasko 2008 Arch Dermatol 144:759; the narrower range is used. Counts inside it at both
    # visits are never "worse".
    comb_count_normal_max: int = 43
    # Trials assess at 12-48 weeks; telogen lasts ~3 months (domain.md §2, Wolfram 2003).
    min_response_assessment_days: int = 84
    # Maintenance interval by response (article: every 1-3 months by response). Since issue 17 a
    # "none" response schedules no interval (review the plan, never more frequent injections);
    # ``maintenance_interval_days_none`` is kept so stored protocols still load, and is not used.
    maintenance_interval_days_good: int = 90
    maintenance_interval_days_partial: int = 60
    maintenance_interval_days_none: int = 30

    # --- Labs ------------------------------------------------------------------------------------
    # Many trichologists target ferritin >= 40 ng/mL; weak evidence (Olsen 2010 JAAD).
    ferritin_target_ng_ml: Decimal = Decimal("40")
    # Upper flags where domain.md gives none: typical laboratory upper limits, to be replaced by
    # the clinic's laboratory. The lab's own range is always reported beside the flag.
    # Ferritin upper limit, sex-specific (issue 17): WHO 2020 ferritin guideline, apparently healthy
    # adults: above 200 µg/L (men) or 150 µg/L (women) suggests a risk of iron overload.
    # ``ferritin_high_ng_ml`` (the field's original name) is the men's limit.
    ferritin_high_ng_ml: Decimal = Decimal("200")
    ferritin_high_female_ng_ml: Decimal = Decimal("150")
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
        c.integer("reconsultation_after_months", self.reconsultation_after_months, 1, 60)
        for scale, stage in self.advanced_stages:
            c.require(
                scale in SCALES and stage in SCALES[Scale(scale)].stages,
                "advanced_stages",
                f"{scale} {stage} is not a known scale stage",
            )
        for code, severity in self.severity_overrides.items():
            c.require(code in set(FindingCode), "severity_overrides", f"unknown finding code {code!r}")
            c.require(severity in set(Severity), "severity_overrides", f"unknown severity {severity!r}")
            # Severe baldness may need other approaches (source article): never less than a caution.
            c.require(
                not (code == FindingCode.ADVANCED_PATTERN and severity == Severity.INFO),
                "severity_overrides", "advanced_pattern is at least a caution",
            )
        c.number("max_session_volume_ml", self.max_session_volume_ml, Decimal("0.1"), 20, "mL")
        for drug, cap in self.drug_dose_caps_mg.items():
            c.number(f"drug_dose_caps_mg.{drug}", cap, Decimal("0.001"), 1000, "mg")
        c.integer("pregnancy_test_valid_days", self.pregnancy_test_valid_days, 0, 90)
        c.number("volume_reconciliation_tolerance_ml", self.volume_reconciliation_tolerance_ml, 0, 2, "mL")
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
        c.integer("self_service_notice_hours", self.self_service_notice_hours, 0, 24 * 14)
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
        c.number("density_measurement_cv_pct", self.density_measurement_cv_pct, 0, 50, "%")
        c.integer("comb_count_normal_max", self.comb_count_normal_max, 0, 5000)
        for name in ("good", "partial", "none"):
            attr = f"maintenance_interval_days_{name}"
            c.integer(attr, getattr(self, attr), 28, 120)
        c.number("ferritin_target_ng_ml", self.ferritin_target_ng_ml, 15, 200, "ng/mL")
        c.number("ferritin_high_ng_ml", self.ferritin_high_ng_ml, self.ferritin_target_ng_ml, 2000, "ng/mL")
        c.number("ferritin_high_female_ng_ml", self.ferritin_high_female_ng_ml, self.ferritin_target_ng_ml, 2000, "ng/mL")
        c.number("tsh_low_miu_l", self.tsh_low_miu_l, 0, 10, "mIU/L")
        c.number("tsh_high_miu_l", self.tsh_high_miu_l, self.tsh_low_miu_l, 20, "mIU/L")
        c.number("zinc_high_ug_dl", self.zinc_high_ug_dl, 70, 500, "µg/dL")
        c.number("b12_borderline_below_pg_ml", self.b12_borderline_below_pg_ml, 200, 1000, "pg/mL")
        c.number("b12_high_pg_ml", self.b12_high_pg_ml, self.b12_borderline_below_pg_ml, 5000, "pg/mL")
        c.number("haemoglobin_high_female_g_dl", self.haemoglobin_high_female_g_dl, 12, 25, "g/dL")
        c.number("haemoglobin_high_male_g_dl", self.haemoglobin_high_male_g_dl, 13, 25, "g/dL")
        c.done()
