"""Blood tests often ordered in hair-loss work-ups: exact unit conversion and flags (domain.md §5).

Conversions are exact rational numbers (``fractions.Fraction``) built from molar masses, so a value
converted to another unit and back is *exactly* the value entered. Factors (1 conventional unit =
f alternative units):

- ferritin: ng/mL = µg/L; 1 ng/mL = 1000/445 pmol/L ≈ 2.247 pmol/L (apoferritin ~445 kDa; the
  conventional factor 2.247).
- 25-OH vitamin D: 1 ng/mL = 1000/400.64 nmol/L ≈ 2.496 nmol/L (25-OH D3, 400.64 g/mol).
- zinc: 1 µg/dL = 10/65.38 µmol/L ≈ 0.153 µmol/L (Zn, 65.38 g/mol).
- vitamin B12: 1 pg/mL = 1000/1355.37 pmol/L ≈ 0.738 pmol/L (cyanocobalamin, 1355.37 g/mol).
- haemoglobin: 1 g/dL = 10 g/L.
- TSH: 1 mIU/L = 1 µIU/mL.

Always keep the value with its unit and the laboratory's own reference range: the flags below are
the thresholds domain.md cites, and the lab's range is reported beside them, never replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol
from anagen.core.validation import Checks, Number


class Sex(StrEnum):
    """Sex for sex-specific reference values (WHO haemoglobin cut-offs) and pregnancy checks."""

    FEMALE = "female"
    MALE = "male"


class LabTest(StrEnum):
    FERRITIN = "ferritin"
    VITAMIN_D = "vitamin_d_25oh"
    TSH = "tsh"
    ZINC = "zinc"
    VITAMIN_B12 = "vitamin_b12"
    HAEMOGLOBIN = "haemoglobin"


class LabFlag(StrEnum):
    LOW = "low"
    BORDERLINE = "borderline"
    NORMAL = "normal"
    HIGH = "high"


# Molar masses, g/mol.
FERRITIN_G_PER_MOL = Fraction(445_000)
VITAMIN_D_25OH_D3_G_PER_MOL = Fraction("400.64")
ZINC_G_PER_MOL = Fraction("65.38")
CYANOCOBALAMIN_G_PER_MOL = Fraction("1355.37")

# Test -> conventional (canonical) unit, the unit domain.md's thresholds use (UCUM spelling).
CANONICAL_UNIT: Mapping[LabTest, str] = MappingProxyType(
    {
        LabTest.FERRITIN: "ng/mL",
        LabTest.VITAMIN_D: "ng/mL",
        LabTest.TSH: "m[IU]/L",
        LabTest.ZINC: "ug/dL",
        LabTest.VITAMIN_B12: "pg/mL",
        LabTest.HAEMOGLOBIN: "g/dL",
    }
)

# Test -> {unit: how many of that unit make one canonical unit}. Mass/volume → mol/volume is
# (mass per litre) / (g per mol): e.g. 1 ng/mL = 1 µg/L = 1e-6 g/L; / 400.64 g/mol = 2.496e-9 mol/L.
UNIT_FACTORS: Mapping[LabTest, Mapping[str, Fraction]] = MappingProxyType(
    {
        LabTest.FERRITIN: MappingProxyType(
            {"ng/mL": Fraction(1), "ug/L": Fraction(1), "pmol/L": Fraction(10**6) / FERRITIN_G_PER_MOL}
        ),
        LabTest.VITAMIN_D: MappingProxyType(
            {"ng/mL": Fraction(1), "ug/L": Fraction(1), "nmol/L": Fraction(1000) / VITAMIN_D_25OH_D3_G_PER_MOL}
        ),
        LabTest.TSH: MappingProxyType({"m[IU]/L": Fraction(1), "u[IU]/mL": Fraction(1)}),
        LabTest.ZINC: MappingProxyType({"ug/dL": Fraction(1), "umol/L": Fraction(10) / ZINC_G_PER_MOL}),
        LabTest.VITAMIN_B12: MappingProxyType(
            {"pg/mL": Fraction(1), "ng/L": Fraction(1), "pmol/L": Fraction(1000) / CYANOCOBALAMIN_G_PER_MOL}
        ),
        LabTest.HAEMOGLOBIN: MappingProxyType({"g/dL": Fraction(1), "g/L": Fraction(10)}),
    }
)

# Spellings people type -> UCUM spelling used above.
_UNIT_ALIASES = {"mIU/L": "m[IU]/L", "uIU/mL": "u[IU]/mL"}

# Plausibility ceilings in canonical units (input errors, not clinical flags).
_MAX_CANONICAL: Mapping[LabTest, Fraction] = MappingProxyType(
    {
        LabTest.FERRITIN: Fraction(100_000),
        LabTest.VITAMIN_D: Fraction(1_000),
        LabTest.TSH: Fraction(1_000),
        LabTest.ZINC: Fraction(1_000),
        LabTest.VITAMIN_B12: Fraction(100_000),
        LabTest.HAEMOGLOBIN: Fraction(30),
    }
)

FERRITIN_EVIDENCE_NOTE = (
    "Weak evidence: the ferritin target of 40 ng/mL many trichologists use is not established; "
    "Olsen 2010 JAAD found iron deficiency no commoner in women with hair loss than in controls."
)


def normalise_unit(test: LabTest, unit: str) -> str:
    """The UCUM spelling of ``unit`` for ``test``; µ/μ may be typed for u. Raises InvalidInput."""
    ascii_unit = unit.replace("µ", "u").replace("μ", "u")
    spelled = _UNIT_ALIASES.get(ascii_unit, ascii_unit)
    if spelled not in UNIT_FACTORS[test]:
        raise InvalidInput.single(
            "unit", f"{unit!r} is not a unit for {test}; one of {', '.join(UNIT_FACTORS[test])}"
        )
    return spelled


def _exact(value: Number) -> Fraction:
    if isinstance(value, float):
        # A float came from decimal text; its shortest repr is that text.
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def convert(value: Number, test: LabTest, from_unit: str, to_unit: str) -> Fraction:
    """Exact conversion between units of one test (factors from molar masses; module docstring)."""
    factors = UNIT_FACTORS[test]
    source, target = normalise_unit(test, from_unit), normalise_unit(test, to_unit)
    return _exact(value) / factors[source] * factors[target]


@dataclass(frozen=True)
class LabResult:
    """One result as the laboratory reported it, with the lab's own reference range (same unit)."""

    test: LabTest
    value: Decimal
    unit: str
    reference_low: Decimal | None
    reference_high: Decimal | None

    def __post_init__(self) -> None:
        c = Checks()
        try:
            test = LabTest(self.test)
        except ValueError:
            c.add("test", f"unknown test; one of {', '.join(LabTest)}")
            c.done()
            return
        object.__setattr__(self, "test", test)
        unit_ok = c.instance("unit", self.unit, str, "a unit text")
        if unit_ok:
            try:
                object.__setattr__(self, "unit", normalise_unit(test, self.unit))
            except InvalidInput as exc:
                c.errors.extend(exc.errors)
                unit_ok = False
        if c.number("value", self.value, 0) and unit_ok:
            ceiling = _MAX_CANONICAL[test] * UNIT_FACTORS[test][self.unit]
            c.require(
                _exact(self.value) <= ceiling,
                "value",
                f"must be at most {float(ceiling):.6g} {self.unit} for {test}",
            )
        low_ok = c.optional_number("reference_low", self.reference_low, 0)
        high_ok = c.optional_number("reference_high", self.reference_high, 0)
        if low_ok and high_ok and self.reference_low is not None and self.reference_high is not None:
            c.require(self.reference_low <= self.reference_high, "reference_high", "must not be below reference_low")
        c.done()

    @property
    def canonical_value(self) -> Fraction:
        return convert(self.value, self.test, self.unit, CANONICAL_UNIT[self.test])


@dataclass(frozen=True)
class LabInterpretation:
    test: LabTest
    value: Decimal
    unit: str
    canonical_value: Fraction
    canonical_unit: str
    flag: LabFlag
    message: str
    source: str
    # Set where domain.md calls the evidence weak (ferritin).
    evidence_note: str | None
    # "below" / "within" / "above" the laboratory's own range, None when the lab gave none.
    lab_range: str | None
    # Issue 17. Haemoglobin: the WHO anaemia grade ("mild", "moderate", "severe"), None otherwise.
    severity: str | None = None
    # What the clinic should do beyond the flag (refer), with its source; None when nothing.
    referral: str | None = None
    referral_source: str | None = None

    @property
    def abnormal(self) -> bool:
        """Low or high (borderline is not abnormal): what a clinician must review (issue 17)."""
        return self.flag in (LabFlag.LOW, LabFlag.HIGH)


@dataclass(frozen=True)
class Cutoff:
    """A threshold in the canonical unit, and the same threshold as published in other units
    (rounded: zinc <70 µg/dL is published as 10.7 µmol/L, though 10.7 µmol/L is exactly 69.96
    µg/dL). A value reported in a unit the cut-off is published in is compared with that published
    figure, as the source states it; other units are converted exactly to the canonical unit. So a
    value typed exactly on a published cut-off is never "below" it through the rounding of a
    conversion (issue 17: zinc 10.7 µmol/L read "low"). Between a published figure and the exact
    conversion of the canonical one (e.g. 49.92-50 nmol/L of vitamin D) the published figure of
    the reported unit decides."""

    canonical: Fraction
    published: Mapping[str, Fraction] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def below(self, result: LabResult) -> bool:
        published = self.published.get(result.unit)
        return result.canonical_value < self.canonical if published is None else _exact(result.value) < published

    def above(self, result: LabResult) -> bool:
        published = self.published.get(result.unit)
        return result.canonical_value > self.canonical if published is None else _exact(result.value) > published


def _cut(canonical: Number, **published: str) -> Cutoff:
    units = {"umol_L": "umol/L", "pmol_L": "pmol/L", "nmol_L": "nmol/L"}
    return Cutoff(_exact(canonical), MappingProxyType({units[k]: Fraction(Decimal(v)) for k, v in published.items()}))


# Published cut-offs with their equivalents in the other units as published (domain.md §5).
ZINC_LOW = _cut(70, umol_L="10.7")
B12_LOW = _cut(200, pmol_L="148")
VITAMIN_D_LOW = _cut(20, nmol_L="50")  # Holick 2011: <20 ng/mL (50 nmol/L)
VITAMIN_D_SUFFICIENT = _cut(30, nmol_L="75")  # Holick 2011: 30 ng/mL (75 nmol/L)
VITAMIN_D_HIGH = _cut(100, nmol_L="250")  # Holick 2011: 100 ng/mL (250 nmol/L) upper limit

# WHO 2011 (Haemoglobin concentrations for the diagnosis of anaemia and assessment of severity,
# WHO/NMH/NHD/MNM/11.1), non-pregnant adults, g/dL: anaemia below 12 (women) or 13 (men); mild
# from 11 to the cut-off, moderate 8-10.9, severe below 8.
HAEMOGLOBIN_MILD_FROM_G_DL = Fraction(11)
HAEMOGLOBIN_SEVERE_BELOW_G_DL = Fraction(8)
WHO_HAEMOGLOBIN_SOURCE = "WHO 2011 haemoglobin concentrations for the diagnosis of anaemia and assessment of severity (WHO/NMH/NHD/MNM/11.1)"
IDA_REFERRAL = ("Iron-deficiency anaemia in a man or a post-menopausal woman: refer to investigate the cause "
                "(bowel and stomach causes are looked for) before treating the hair loss.")
IDA_SOURCE = "British Society of Gastroenterology guideline for iron-deficiency anaemia (Goddard 2011 Gut 60:1309)"
TSH_REFERRAL = "TSH outside its range: refer to a physician before attributing the hair loss."
TSH_SOURCE = "thyroid disease causes diffuse hair loss (domain.md §5); clinic protocol"


def _band(result: LabResult, low: Cutoff, borderline_below: Cutoff | None, high: Cutoff | None) -> LabFlag:
    if low.below(result):
        return LabFlag.LOW
    if borderline_below is not None and borderline_below.below(result):
        return LabFlag.BORDERLINE
    if high is not None and high.above(result):
        return LabFlag.HIGH
    return LabFlag.NORMAL


def _protocol_cut(value: Number) -> Cutoff:
    return Cutoff(_exact(value))


def haemoglobin_severity(value_g_dl: Fraction, sex: Sex) -> str | None:
    """WHO 2011 anaemia grade of a haemoglobin in g/dL: None (not anaemic), mild, moderate, severe."""
    if value_g_dl >= (12 if sex is Sex.FEMALE else 13):
        return None
    if value_g_dl >= HAEMOGLOBIN_MILD_FROM_G_DL:
        return "mild"
    if value_g_dl >= HAEMOGLOBIN_SEVERE_BELOW_G_DL:
        return "moderate"
    return "severe"


def interpret_lab(result: LabResult, sex: Sex, protocol: Protocol) -> LabInterpretation:
    """Flag one result low / borderline / normal / high.

    - ferritin: <15 ng/mL low (laboratory deficiency cut-off); below Protocol.ferritin_target_ng_ml
      (default 40, trichologists' target) borderline, with the weak-evidence note (Olsen 2010
      JAAD); above the sex-specific upper limit high: Protocol.ferritin_high_female_ng_ml (150) for
      women, Protocol.ferritin_high_ng_ml (200) for men (WHO 2020 ferritin guideline: risk of iron
      overload in apparently healthy adults above 150 µg/L in women, 200 µg/L in men).
    - 25-OH vitamin D: <20 ng/mL (50 nmol/L) deficient, 20-29 insufficient (borderline), >100 high
      (Holick 2011).
    - TSH: outside Protocol.tsh_low_miu_l..tsh_high_miu_l (default 0.4-4.5 mIU/L, lab-dependent);
      outside it, refer to a physician before attributing the hair loss.
    - zinc: <70 µg/dL (10.7 µmol/L) low (domain.md §5); above Protocol.zinc_high_ug_dl high.
    - vitamin B12: <200 pg/mL (148 pmol/L) deficient (domain.md §5); below
      Protocol.b12_borderline_below_pg_ml borderline; above Protocol.b12_high_pg_ml high.
    - haemoglobin: <12 g/dL women, <13 g/dL men (WHO), graded mild / moderate / severe (<8 g/dL,
      "refer urgently") by WHO 2011; above Protocol.haemoglobin_high_* high.
    A value exactly on a cut-off, in the unit the cut-off is published in, is not below it.
    Cross-result rules (iron-deficiency anaemia) are in ``interpret_labs``.
    """
    value = result.canonical_value
    unit = CANONICAL_UNIT[result.test]
    note: str | None = None
    severity: str | None = None
    referral: str | None = None
    referral_source: str | None = None
    test = result.test
    if test is LabTest.FERRITIN:
        high = protocol.ferritin_high_female_ng_ml if sex is Sex.FEMALE else protocol.ferritin_high_ng_ml
        flag = _band(result, _protocol_cut(15), _protocol_cut(protocol.ferritin_target_ng_ml), _protocol_cut(high))
        source = ("laboratory deficiency cut-off <15 ng/mL; trichologists' target (Protocol.ferritin_target_ng_ml); Olsen 2010 JAAD; "
                  "upper limit by sex: WHO 2020 ferritin guideline")
        note = FERRITIN_EVIDENCE_NOTE
        meaning = {
            LabFlag.LOW: "iron deficient (below 15 ng/mL)",
            LabFlag.BORDERLINE: f"below the trichology target of {protocol.ferritin_target_ng_ml} ng/mL",
            LabFlag.NORMAL: "within the target range",
            LabFlag.HIGH: f"above {high} ng/mL for {sex}: consider inflammation or iron overload",
        }
    elif test is LabTest.VITAMIN_D:
        flag = _band(result, VITAMIN_D_LOW, VITAMIN_D_SUFFICIENT, VITAMIN_D_HIGH)
        source = "Holick 2011 (Endocrine Society)"
        meaning = {
            LabFlag.LOW: "deficient (below 20 ng/mL, 50 nmol/L)",
            LabFlag.BORDERLINE: "insufficient (20-29 ng/mL)",
            LabFlag.NORMAL: "sufficient (30-100 ng/mL)",
            LabFlag.HIGH: "above 100 ng/mL: check supplementation",
        }
    elif test is LabTest.TSH:
        flag = _band(result, _protocol_cut(protocol.tsh_low_miu_l), None, _protocol_cut(protocol.tsh_high_miu_l))
        source = "lab-dependent range ~0.4-4.5 mIU/L (domain.md §5; Protocol.tsh_low_miu_l/tsh_high_miu_l)"
        meaning = {
            LabFlag.LOW: f"below {protocol.tsh_low_miu_l} mIU/L: consider hyperthyroidism",
            LabFlag.NORMAL: "within range",
            LabFlag.HIGH: f"above {protocol.tsh_high_miu_l} mIU/L: consider hypothyroidism",
        }
        if flag is not LabFlag.NORMAL:
            referral, referral_source = TSH_REFERRAL, TSH_SOURCE
    elif test is LabTest.ZINC:
        flag = _band(result, ZINC_LOW, None, _protocol_cut(protocol.zinc_high_ug_dl))
        source = "low <70 µg/dL (10.7 µmol/L) (domain.md §5); high: Protocol.zinc_high_ug_dl"
        meaning = {
            LabFlag.LOW: "low (below 70 µg/dL, 10.7 µmol/L)",
            LabFlag.NORMAL: "within range",
            LabFlag.HIGH: f"above {protocol.zinc_high_ug_dl} µg/dL",
        }
    elif test is LabTest.VITAMIN_B12:
        flag = _band(result, B12_LOW, _protocol_cut(protocol.b12_borderline_below_pg_ml), _protocol_cut(protocol.b12_high_pg_ml))
        source = "deficient <200 pg/mL (148 pmol/L) (domain.md §5); borderline/high: Protocol.b12_*"
        meaning = {
            LabFlag.LOW: "deficient (below 200 pg/mL, 148 pmol/L)",
            LabFlag.BORDERLINE: f"low-normal (below {protocol.b12_borderline_below_pg_ml} pg/mL)",
            LabFlag.NORMAL: "within range",
            LabFlag.HIGH: f"above {protocol.b12_high_pg_ml} pg/mL: check supplementation",
        }
    else:
        low = 12 if sex is Sex.FEMALE else 13
        high = protocol.haemoglobin_high_female_g_dl if sex is Sex.FEMALE else protocol.haemoglobin_high_male_g_dl
        flag = _band(result, _protocol_cut(low), None, _protocol_cut(high))
        source = f"{WHO_HAEMOGLOBIN_SOURCE}: <12 g/dL women, <13 g/dL men; high: Protocol.haemoglobin_high_*"
        severity = haemoglobin_severity(value, sex)
        grade = {"mild": "mild anaemia", "moderate": "moderate anaemia (8-10.9 g/dL)", "severe": "severe anaemia (below 8 g/dL)"}
        meaning = {
            LabFlag.LOW: f"{grade[severity] if severity else 'anaemic'} (below {low} g/dL for {'women' if sex is Sex.FEMALE else 'men'})",
            LabFlag.NORMAL: "within range",
            LabFlag.HIGH: f"above {high} g/dL",
        }
        if severity == "severe":
            referral, referral_source = "Severe anaemia: refer urgently.", WHO_HAEMOGLOBIN_SOURCE
    lab_range: str | None = None
    if result.reference_low is not None or result.reference_high is not None:
        lab_range = "within"
        if result.reference_low is not None and result.value < result.reference_low:
            lab_range = "below"
        elif result.reference_high is not None and result.value > result.reference_high:
            lab_range = "above"
    return LabInterpretation(
        test, result.value, result.unit, value, unit, flag, meaning[flag][:1].upper() + meaning[flag][1:], source, note,
        lab_range, severity, referral, referral_source,
    )


def interpret_labs(
    results: Sequence[LabResult], sex: Sex, protocol: Protocol, *, postmenopausal: bool = False
) -> list[LabInterpretation]:
    """Interpret each result (``interpret_lab``), then the rules that read results together:
    low ferritin with low haemoglobin in the same request, in a man or a post-menopausal woman, is
    iron-deficiency anaemia whose cause must be looked for (British Society of Gastroenterology,
    Goddard 2011 Gut 60:1309): the ferritin result says "refer to investigate the cause". A severe
    anaemia's own urgent referral is kept on the haemoglobin."""
    readings = [interpret_lab(r, sex, protocol) for r in results]
    ferritin_low = any(i.test is LabTest.FERRITIN and i.flag is LabFlag.LOW for i in readings)
    anaemic = any(i.test is LabTest.HAEMOGLOBIN and i.flag is LabFlag.LOW for i in readings)
    if ferritin_low and anaemic and (sex is Sex.MALE or postmenopausal):
        readings = [
            # Only the low ferritin carries it: a second, normal ferritin in the request is not the finding.
            replace(i, referral=IDA_REFERRAL, referral_source=IDA_SOURCE)
            if i.test is LabTest.FERRITIN and i.flag is LabFlag.LOW else i
            for i in readings
        ]
    return readings


__all__ = [
    "CANONICAL_UNIT",
    "FERRITIN_EVIDENCE_NOTE",
    "LabFlag",
    "LabInterpretation",
    "LabResult",
    "LabTest",
    "Sex",
    "UNIT_FACTORS",
    "convert",
    "haemoglobin_severity",
    "interpret_lab",
    "interpret_labs",
    "normalise_unit",
]
