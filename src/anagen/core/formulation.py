"""Mesotherapy formulations: the ingredient catalogue, templates per diagnosis, personalisation and
checks.

The article's cocktail (domain.md §1): biotin, amino acids, zinc, selenium, peptides and growth
factors, vitamins B3, B5 and B12. Evidence for such cocktails is thin: the one randomised trial
found no advantage over 5% minoxidil except shaft-diameter variation (Gajjar 2019 Int J Trichol
11:58). Drug components are off-label prescription drugs: they need a trichologist's sign-off and
documented consent, and 5-alpha-reductase inhibitors a conception warning (injected dutasteride
changed semen analysis and serum DHT, Sobhy 2013 Our Dermatol Online 4:40).

Concentration ranges and template volumes in the default catalogue are clinic protocol
(placeholders to replace with the clinic's own product data), not evidence. A clinic can pass its
own catalogue to every function here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.protocol import Protocol
from anagen.core.screening import Diagnosis
from anagen.core.validation import Checks


class IngredientCategory(StrEnum):
    VITAMIN = "vitamin"
    MINERAL = "mineral"
    AMINO_ACID = "amino_acid"
    PEPTIDE = "peptide"
    GROWTH_FACTOR = "growth_factor"
    HUMECTANT = "humectant"
    DRUG = "drug"


@dataclass(frozen=True)
class Ingredient:
    code: str
    name: str
    category: IngredientCategory
    concentration_unit: str
    min_concentration: Decimal
    max_concentration: Decimal
    default_concentration: Decimal
    # Off-label prescription drug: trichologist sign-off and documented consent (Sobhy 2013).
    prescription_drug: bool = False
    # 5-alpha-reductase inhibitor: conception warning, excluded when planning conception.
    five_alpha_reductase_inhibitor: bool = False
    evidence: str = "no controlled human hair-count trial of the ingredient alone (domain.md §4b)"

    def __post_init__(self) -> None:
        c = Checks()
        c.require(bool(self.code), "code", "must not be empty")
        if c.number("min_concentration", self.min_concentration, 0) and c.number(
            "max_concentration", self.max_concentration, self.min_concentration
        ):
            c.number("default_concentration", self.default_concentration, self.min_concentration, self.max_concentration)
        c.require(
            not self.five_alpha_reductase_inhibitor or self.prescription_drug,
            "prescription_drug",
            "a 5-alpha-reductase inhibitor is a prescription drug",
        )
        c.done()


_D = Decimal
_COCKTAIL = "source article cocktail (domain.md §1); vitamin cocktails: Gajjar 2019 Int J Trichol 11:58"

CATALOGUE: Mapping[str, Ingredient] = MappingProxyType(
    {
        i.code: i
        for i in (
            Ingredient("biotin", "Biotin (vitamin B7)", IngredientCategory.VITAMIN, "mg/mL", _D("0.1"), _D("5"), _D("0.5"), evidence=_COCKTAIL),
            Ingredient("amino_acid_complex", "Amino acid complex", IngredientCategory.AMINO_ACID, "mg/mL", _D("1"), _D("50"), _D("10"), evidence=_COCKTAIL),
            Ingredient("zinc", "Zinc (as zinc sulfate)", IngredientCategory.MINERAL, "mg/mL", _D("0.01"), _D("1"), _D("0.1"), evidence=_COCKTAIL),
            Ingredient("selenium", "Selenium (as sodium selenite)", IngredientCategory.MINERAL, "ug/mL", _D("1"), _D("100"), _D("10"), evidence=_COCKTAIL),
            Ingredient(
                "ghk_cu", "Copper tripeptide-1 (GHK-Cu)", IngredientCategory.PEPTIDE, "mg/mL", _D("0.1"), _D("5"), _D("1"),
                evidence="no controlled human hair-count trials found (domain.md §4b)",
            ),
            Ingredient(
                "growth_factor_complex", "Growth factor complex", IngredientCategory.GROWTH_FACTOR, "% v/v", _D("1"), _D("100"), _D("20"),
                evidence=_COCKTAIL,
            ),
            Ingredient("niacinamide", "Niacinamide (vitamin B3)", IngredientCategory.VITAMIN, "mg/mL", _D("1"), _D("50"), _D("20"), evidence=_COCKTAIL),
            Ingredient("dexpanthenol", "Dexpanthenol (vitamin B5)", IngredientCategory.VITAMIN, "mg/mL", _D("10"), _D("125"), _D("50"), evidence=_COCKTAIL),
            Ingredient("cyanocobalamin", "Cyanocobalamin (vitamin B12)", IngredientCategory.VITAMIN, "mg/mL", _D("0.1"), _D("1"), _D("0.5"), evidence=_COCKTAIL),
            Ingredient("hyaluronic_acid", "Hyaluronic acid (non-cross-linked)", IngredientCategory.HUMECTANT, "mg/mL", _D("1"), _D("20"), _D("10")),
            Ingredient(
                "dutasteride", "Dutasteride", IngredientCategory.DRUG, "mg/mL", _D("0.01"), _D("0.5"), _D("0.1"),
                prescription_drug=True, five_alpha_reductase_inhibitor=True,
                evidence="+7.9 hairs vs saline at 12 weeks (Abdallah 2009); systemic absorption (Sobhy 2013 Our Dermatol Online 4:40)",
            ),
            Ingredient(
                "finasteride", "Finasteride", IngredientCategory.DRUG, "mg/mL", _D("0.05"), _D("1"), _D("0.5"),
                prescription_drug=True, five_alpha_reductase_inhibitor=True,
                evidence="injected use off-label; 5-alpha-reductase inhibitor (domain.md §2)",
            ),
            Ingredient(
                "minoxidil", "Minoxidil", IngredientCategory.DRUG, "mg/mL", _D("1"), _D("5"), _D("5"),
                prescription_drug=True,
                evidence="topical 5% is evidence-based (Olsen 2002, Lucky 2004); injected use is off-label",
            ),
        )
    }
)
"""Default ingredient catalogue (source article; Sobhy 2013; ranges are clinic protocol)."""


@dataclass(frozen=True)
class Component:
    """One ingredient in a formulation: volume per session and concentration in the catalogue unit."""

    ingredient: str
    volume_ml: Decimal
    concentration: Decimal

    def __post_init__(self) -> None:
        c = Checks()
        c.require(isinstance(self.ingredient, str) and bool(self.ingredient), "ingredient", "must be an ingredient code")
        c.number("volume_ml", self.volume_ml, Decimal("0.01"), 20, "mL")
        c.number("concentration", self.concentration, 0)
        c.done()


@dataclass(frozen=True)
class Formulation:
    components: tuple[Component, ...]

    def __post_init__(self) -> None:
        c = Checks()
        c.require(len(self.components) > 0, "components", "a formulation needs at least one component")
        c.done()

    @property
    def total_volume_ml(self) -> Decimal:
        return sum((component.volume_ml for component in self.components), Decimal(0))


def _template(*parts: tuple[str, str]) -> Formulation:
    return Formulation(tuple(Component(code, Decimal(ml), CATALOGUE[code].default_concentration) for code, ml in parts))


# Diagnosis -> starting formulation. About 2 mL per session as in Moftah 2013 (domain.md §7); the
# choice of ingredients is clinic protocol. Alopecia areata and scarring alopecia have none: they
# are referred to a dermatologist (domain.md §6).
TEMPLATES: Mapping[Diagnosis, Formulation] = MappingProxyType(
    {
        Diagnosis.ANDROGENETIC_ALOPECIA: _template(
            ("ghk_cu", "0.5"), ("growth_factor_complex", "0.5"), ("biotin", "0.3"),
            ("dexpanthenol", "0.3"), ("niacinamide", "0.2"), ("hyaluronic_acid", "0.2"),
        ),
        Diagnosis.TELOGEN_EFFLUVIUM: _template(
            ("amino_acid_complex", "0.5"), ("biotin", "0.4"), ("zinc", "0.3"),
            ("cyanocobalamin", "0.3"), ("dexpanthenol", "0.3"), ("selenium", "0.2"),
        ),
        Diagnosis.DIFFUSE_THINNING: _template(
            ("amino_acid_complex", "0.5"), ("biotin", "0.4"), ("zinc", "0.3"),
            ("selenium", "0.2"), ("cyanocobalamin", "0.3"), ("niacinamide", "0.3"),
        ),
        Diagnosis.SCALP_CONDITION: _template(
            ("niacinamide", "0.6"), ("zinc", "0.4"), ("dexpanthenol", "0.5"), ("hyaluronic_acid", "0.5"),
        ),
        Diagnosis.PREVENTION: _template(
            ("biotin", "0.5"), ("ghk_cu", "0.5"), ("niacinamide", "0.5"), ("dexpanthenol", "0.5"),
        ),
        # Traction alopecia (a caution: the traction goes first) starts from the diffuse-thinning
        # cocktail; the other issue-17 diagnoses are deferred or referred and have no template.
        Diagnosis.TRACTION_ALOPECIA: _template(
            ("amino_acid_complex", "0.5"), ("biotin", "0.4"), ("zinc", "0.3"),
            ("selenium", "0.2"), ("cyanocobalamin", "0.3"), ("niacinamide", "0.3"),
        ),
    }
)


def template_for(diagnosis: Diagnosis, templates: Mapping[Diagnosis, Formulation] = TEMPLATES) -> Formulation:
    """The clinic's starting formulation for a diagnosis (clinic protocol: TEMPLATES)."""
    if diagnosis not in templates:
        raise InvalidInput.single(
            "diagnosis", f"no mesotherapy template for {diagnosis}: defer or refer (domain.md §6)"
        )
    return templates[diagnosis]


@dataclass(frozen=True)
class Removal:
    ingredient: str
    reason: str


@dataclass(frozen=True)
class PersonalisedFormulation:
    formulation: Formulation
    removed: tuple[Removal, ...]


def personalise(
    formulation: Formulation,
    allergies: frozenset[str],
    planning_conception: bool,
    catalogue: Mapping[str, Ingredient] = CATALOGUE,
) -> PersonalisedFormulation:
    """Leave out the ingredients the patient is allergic to (domain.md §6) and, when conception is
    planned, 5-alpha-reductase inhibitors (Sobhy 2013). Raises InvalidInput if nothing is left."""
    kept: list[Component] = []
    removed: list[Removal] = []
    for component in formulation.components:
        ingredient = catalogue[component.ingredient]
        if component.ingredient in allergies:
            removed.append(Removal(component.ingredient, "allergy"))
        elif planning_conception and ingredient.five_alpha_reductase_inhibitor:
            removed.append(Removal(component.ingredient, "planning_conception"))
        else:
            kept.append(component)
    if not kept:
        raise InvalidInput.single("allergies", "every ingredient of the template is excluded; compose the formulation by hand")
    return PersonalisedFormulation(Formulation(tuple(kept)), tuple(removed))


# Screening condition codes that make a drug component a caution a trichologist must acknowledge.
MINOXIDIL_CAUTION_CONDITIONS = frozenset({"heart_failure", "low_blood_pressure", "cardiovascular_disease"})
"""Minoxidil is a vasodilator antihypertensive; scalp microinfusion of 0.5% lowered diastolic blood
pressure (Basilio 2025 Arch Dermatol Res 317:750): heart failure, low blood pressure or
cardiovascular disease make it a caution (domain.md §6 lists heart failure)."""
FIVE_ARI_CAUTION_CONDITIONS = frozenset({"depression", "liver_disease", "sexual_dysfunction"})
"""5-alpha-reductase inhibitors: depression and sexual dysfunction are labelled adverse effects of
finasteride and dutasteride; both are cleared by the liver (product labels). Cautions."""


@dataclass(frozen=True)
class FormulationContext:
    """What the checks need to know about the patient and the paperwork.

    The first four fields are the original ones. The rest (issue 17) default to "not known" so that
    older callers keep working: the patient's sex, pregnancy, breastfeeding, whether they can become
    pregnant with the dates contraception was documented and a negative pregnancy test taken, the
    working diagnosis and screening conditions, the clinic-local ``today`` the test's age is
    counted from, and the trichologist's written reasons keyed by issue code (an override of a
    5-ARI for telogen effluvium, the acknowledgement of a drug caution).
    """

    allergies: frozenset[str]
    planning_conception: bool
    trichologist_signoff: bool
    consent_documented: bool
    sex: str | None = None
    pregnant: bool = False
    breastfeeding: bool = False
    able_to_become_pregnant: bool = False
    contraception_documented_on: dt.date | None = None
    negative_pregnancy_test_on: dt.date | None = None
    diagnosis: str | None = None
    conditions: frozenset[str] = frozenset()
    today: dt.date | None = None
    trichologist_reasons: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        c = Checks()
        for name in ("planning_conception", "trichologist_signoff", "consent_documented", "pregnant", "breastfeeding",
                     "able_to_become_pregnant"):
            c.boolean(name, getattr(self, name))
        c.require(self.sex in (None, "female", "male"), "sex", "one of female, male")
        if self.sex == "male":
            for name in ("pregnant", "breastfeeding", "able_to_become_pregnant"):
                c.require(getattr(self, name) is not True, name, "cannot be true for sex male")
        for name in ("contraception_documented_on", "negative_pregnancy_test_on", "today"):
            value = getattr(self, name)
            c.require(value is None or isinstance(value, dt.date), name, "must be a date or None")
        if self.today is not None:
            for name in ("contraception_documented_on", "negative_pregnancy_test_on"):
                value = getattr(self, name)
                if isinstance(value, dt.date):
                    c.require(value <= self.today, name, "cannot be in the future")
        c.require(self.diagnosis is None or self.diagnosis in set(Diagnosis), "diagnosis", "a diagnosis code")
        c.done()

    def reason_for(self, code: str) -> str:
        return (self.trichologist_reasons.get(code) or "").strip()


class IssueSeverity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class FormulationIssue:
    code: str
    severity: IssueSeverity
    field: str
    message: str
    source: str


@dataclass(frozen=True)
class FormulationCheck:
    ok: bool
    total_volume_ml: Decimal
    issues: tuple[FormulationIssue, ...]


def unknown_ingredients(formulation: Formulation, catalogue: Mapping[str, Ingredient] = CATALOGUE) -> list[FieldError]:
    return [
        FieldError(f"components[{i}].ingredient", f"unknown ingredient {c.ingredient!r}; see the catalogue")
        for i, c in enumerate(formulation.components)
        if c.ingredient not in catalogue
    ]


@dataclass(frozen=True)
class NamedProduct:
    """A ready-made product a formulation names, with its ingredient list (catalogue codes; empty
    when the clinic recorded none)."""

    product_id: int
    name: str
    ingredients: frozenset[str]


def _names(codes: list[str]) -> str:
    """Ingredients as a person reads them (the catalogue's names), never as codes (issue 20)."""
    return ", ".join(CATALOGUE[c].name if c in CATALOGUE else c.replace("_", " ") for c in codes)


def check_named_products(
    products: Sequence[NamedProduct], formulation: Formulation, allergies: frozenset[str]
) -> list[FormulationIssue]:
    """The allergy check of the session (core/safety.py) run on the products a formulation names:

    - product_allergy_conflict (error): the product's ingredient list holds an allergen (domain.md §6).
    - product_ingredients_unknown (error): no ingredient list on record while the patient has an
      ingredient allergy, so it cannot be checked.
    - product_ingredient_not_in_formulation (warning): the product holds an ingredient that is not
      among the formulation's components: the prescription and the product disagree.
    """
    issues: list[FormulationIssue] = []
    prescribed = {c.ingredient for c in formulation.components}
    source = "domain.md §6 (allergy to any component); issue 17"
    for i, product in enumerate(products):
        where = f"products[{i}]"
        conflicts = sorted(product.ingredients & allergies)
        if conflicts:
            issues.append(FormulationIssue(
                "product_allergy_conflict", IssueSeverity.ERROR, where,
                f"{product.name} contains {_names(conflicts)}, which the patient is allergic to", source,
            ))
        elif allergies and not product.ingredients:
            issues.append(FormulationIssue(
                "product_ingredients_unknown", IssueSeverity.ERROR, where,
                f"{product.name} has no ingredient list on record, so it cannot be checked against the patient's allergies",
                source,
            ))
        extra = sorted(product.ingredients - prescribed)
        if extra:
            issues.append(FormulationIssue(
                "product_ingredient_not_in_formulation", IssueSeverity.WARNING, where,
                f"{product.name} also contains {_names(extra)}, which the formulation's components do not list",
                "clinic protocol: the prescription names what the patient receives",
            ))
    return issues


def check_formulation(
    formulation: Formulation,
    context: FormulationContext,
    protocol: Protocol,
    catalogue: Mapping[str, Ingredient] = CATALOGUE,
    products: Sequence[NamedProduct] = (),
) -> FormulationCheck:
    """Check a formulation; errors make ``ok`` false, warnings are things to act on.

    - allergy_conflict (error): an ingredient the patient is allergic to (domain.md §6).
    - duplicate_ingredient (error): the same ingredient twice makes the dose ambiguous.
    - total_volume_exceeded (error): above Protocol.max_session_volume_ml (clinic protocol, default
      4 mL; Moftah 2013 used about 2 mL).
    - concentration_out_of_range (error): outside the catalogue range (clinic protocol).
    - drug_signoff_missing / drug_consent_missing (error), off_label_drug (warning): drug components
      are off-label prescription drugs (Sobhy 2013 Our Dermatol Online 4:40).
    - five_ari_planning_conception (error), five_ari_conception_warning (warning): 5-alpha-reductase
      inhibitors changed semen analysis and serum DHT when injected (Sobhy 2013).
    """
    unknown = unknown_ingredients(formulation, catalogue)
    if unknown:
        raise InvalidInput(unknown)
    issues: list[FormulationIssue] = []
    seen: dict[str, int] = {}
    sobhy = "Sobhy 2013 Our Dermatol Online 4:40; domain.md §2"
    for i, component in enumerate(formulation.components):
        ingredient = catalogue[component.ingredient]
        where = f"components[{i}]"
        if component.ingredient in context.allergies:
            issues.append(FormulationIssue(
                "allergy_conflict", IssueSeverity.ERROR, f"{where}.ingredient",
                f"patient is allergic to {ingredient.name}", "domain.md §6 (allergy to any component)",
            ))
        if component.ingredient in seen:
            issues.append(FormulationIssue(
                "duplicate_ingredient", IssueSeverity.ERROR, f"{where}.ingredient",
                f"{ingredient.name} already appears at components[{seen[component.ingredient]}]", "clinic protocol",
            ))
        else:
            seen[component.ingredient] = i
        if not ingredient.min_concentration <= component.concentration <= ingredient.max_concentration:
            issues.append(FormulationIssue(
                "concentration_out_of_range", IssueSeverity.ERROR, f"{where}.concentration",
                f"{ingredient.name} must be {ingredient.min_concentration}-{ingredient.max_concentration} "
                f"{ingredient.concentration_unit}, got {component.concentration}",
                "ingredient catalogue (clinic protocol)",
            ))
        if ingredient.prescription_drug:
            issues.append(FormulationIssue(
                "off_label_drug", IssueSeverity.WARNING, f"{where}.ingredient",
                f"{ingredient.name} is an off-label prescription drug in mesotherapy", sobhy,
            ))
        if ingredient.five_alpha_reductase_inhibitor:
            if context.planning_conception:
                issues.append(FormulationIssue(
                    "five_ari_planning_conception", IssueSeverity.ERROR, f"{where}.ingredient",
                    f"{ingredient.name} is a 5-alpha-reductase inhibitor and conception is planned", sobhy,
                ))
            else:
                issues.append(FormulationIssue(
                    "five_ari_conception_warning", IssueSeverity.WARNING, f"{where}.ingredient",
                    f"{ingredient.name}: give and document the conception warning (semen and DHT changes reported)", sobhy,
                ))
    drugs = sorted({catalogue[c.ingredient].name for c in formulation.components if catalogue[c.ingredient].prescription_drug})
    if drugs and not context.trichologist_signoff:
        issues.append(FormulationIssue(
            "drug_signoff_missing", IssueSeverity.ERROR, "trichologist_signoff",
            f"{', '.join(drugs)}: off-label prescription drug(s) need a trichologist's sign-off", sobhy,
        ))
    if drugs and not context.consent_documented:
        issues.append(FormulationIssue(
            "drug_consent_missing", IssueSeverity.ERROR, "consent_documented",
            f"{', '.join(drugs)}: off-label prescription drug(s) need documented consent", sobhy,
        ))
    total = formulation.total_volume_ml
    if total > protocol.max_session_volume_ml:
        issues.append(FormulationIssue(
            "total_volume_exceeded", IssueSeverity.ERROR, "components",
            f"total {total} mL exceeds the protocol maximum of {protocol.max_session_volume_ml} mL per session",
            "clinic protocol (configurable: Protocol.max_session_volume_ml); about 2 mL in Moftah 2013",
        ))
    issues.extend(check_named_products(products, formulation, context.allergies))
    issues.extend(drug_safety_issues(formulation, context, protocol, catalogue))
    ok = not any(issue.severity is IssueSeverity.ERROR for issue in issues)
    return FormulationCheck(ok, total, tuple(issues))


def dose_mg(component: Component, ingredient: Ingredient) -> Decimal | None:
    """Milligrams given per session: concentration (mg/mL) × volume (mL); None for other units."""
    if ingredient.concentration_unit != "mg/mL":
        return None
    return component.concentration * component.volume_ml


def _flagged(code: str, where: str, message: str, source: str, context: FormulationContext, *, caution: bool) -> FormulationIssue:
    """An error until a trichologist writes a reason for ``code``; then a warning quoting it."""
    reason = context.reason_for(code)
    if reason:
        kind = "acknowledged" if caution else "overridden"
        return FormulationIssue(code, IssueSeverity.WARNING, where, f"{message} ({kind} by the trichologist: {reason})", source)
    ask = "a trichologist must acknowledge it with a written reason" if caution else "a trichologist may override it only with a written reason"
    return FormulationIssue(code, IssueSeverity.ERROR, where, f"{message}: {ask}", source)


def drug_safety_issues(
    formulation: Formulation, context: FormulationContext, protocol: Protocol, catalogue: Mapping[str, Ingredient] = CATALOGUE
) -> list[FormulationIssue]:
    """The drug rules of issue 17, each refused (error) rather than warned:

    - dose_cap_exceeded: mg per session (concentration × volume) above Protocol.drug_dose_caps_mg
      (defaults: each drug's oral daily dose in its label; systemic absorption after scalp
      injection: Sobhy 2013 for dutasteride, Basilio 2025 for minoxidil); dose_cap_missing: a drug
      with no cap set cannot be checked, so it is refused.
    - multiple_five_ari: dutasteride and finasteride together (one 5-alpha-reductase inhibitor).
    - five_ari_pregnancy / five_ari_breastfeeding / five_ari_pregnancy_prevention_missing: a 5-ARI
      for a person who is pregnant, breastfeeding, or able to become pregnant without documented
      contraception and a negative pregnancy test within Protocol.pregnancy_test_valid_days
      (labels: teratogenic to a male fetus; Sobhy 2013).
    - five_ari_telogen_effluvium: a 5-ARI has no role in telogen effluvium (an androgen-independent
      shedding that recovers by itself, Liyanage & Sinclair 2016); error unless a trichologist
      overrides it with a written reason.
    - minoxidil_cardiovascular_caution, five_ari_condition_caution: cautions a trichologist must
      acknowledge with a written reason (MINOXIDIL_CAUTION_CONDITIONS, FIVE_ARI_CAUTION_CONDITIONS).
    """
    issues: list[FormulationIssue] = []
    five_aris: list[tuple[int, Ingredient]] = []
    for i, component in enumerate(formulation.components):
        ingredient = catalogue[component.ingredient]
        if not ingredient.prescription_drug:
            continue
        where = f"components[{i}]"
        cap = protocol.drug_dose_caps_mg.get(component.ingredient)
        mg = dose_mg(component, ingredient)
        if cap is None or mg is None:
            issues.append(FormulationIssue(
                "dose_cap_missing", IssueSeverity.ERROR, f"{where}.ingredient",
                f"{ingredient.name} has no dose cap per session in the clinic protocol, so its dose cannot be checked",
                "Protocol.drug_dose_caps_mg (issue 17)",
            ))
        elif mg > cap:
            issues.append(FormulationIssue(
                "dose_cap_exceeded", IssueSeverity.ERROR, f"{where}.volume_ml",
                f"{ingredient.name} {mg.normalize():f} mg per session ({component.volume_ml.normalize():f} mL × "
                f"{component.concentration.normalize():f} mg/mL) is over the cap of {cap.normalize():f} mg",
                DOSE_CAP_SOURCES.get(component.ingredient, "Protocol.drug_dose_caps_mg"),
            ))
        if ingredient.five_alpha_reductase_inhibitor:
            five_aris.append((i, ingredient))
        if component.ingredient == "minoxidil":
            present = sorted(context.conditions & MINOXIDIL_CAUTION_CONDITIONS)
            if present:
                issues.append(_flagged(
                    "minoxidil_cardiovascular_caution", f"{where}.ingredient",
                    f"Minoxidil with {', '.join(c.replace('_', ' ') for c in present)}: it lowers blood pressure",
                    "Basilio 2025 Arch Dermatol Res 317:750 (diastolic drop after scalp microinfusion); domain.md §6",
                    context, caution=True,
                ))
    if len(five_aris) > 1:
        names = " and ".join(ingredient.name for _, ingredient in five_aris)
        issues.append(FormulationIssue(
            "multiple_five_ari", IssueSeverity.ERROR, f"components[{five_aris[1][0]}].ingredient",
            f"{names} together: one 5-alpha-reductase inhibitor per formulation",
            "same mechanism, additive systemic exposure (Sobhy 2013); clinic protocol",
        ))
    if five_aris:
        i, ingredient = five_aris[0]
        where = f"components[{i}].ingredient"
        label = "5-ARI labels (dutasteride, finasteride): contraindicated in pregnancy, risk to a male fetus; Sobhy 2013"
        if context.pregnant:
            issues.append(FormulationIssue("five_ari_pregnancy", IssueSeverity.ERROR, where,
                                           f"{ingredient.name} in pregnancy", label))
        if context.breastfeeding:
            issues.append(FormulationIssue("five_ari_breastfeeding", IssueSeverity.ERROR, where,
                                           f"{ingredient.name} while breastfeeding", label))
        if context.able_to_become_pregnant and not context.pregnant:
            missing = pregnancy_prevention_missing(context, protocol)
            if missing:
                issues.append(FormulationIssue(
                    "five_ari_pregnancy_prevention_missing", IssueSeverity.ERROR, where,
                    f"{ingredient.name} for a person able to become pregnant needs {missing}", label,
                ))
        if context.diagnosis == Diagnosis.TELOGEN_EFFLUVIUM:
            issues.append(_flagged(
                "five_ari_telogen_effluvium", where,
                f"{ingredient.name} for telogen effluvium: shedding that recovers by itself and is not androgen-driven",
                "Liyanage & Sinclair 2016 Cosmetics 3:13 (TE resolves in 3-6 months); domain.md §3",
                context, caution=False,
            ))
        present = sorted(context.conditions & FIVE_ARI_CAUTION_CONDITIONS)
        if present:
            issues.append(_flagged(
                "five_ari_condition_caution", where,
                f"{ingredient.name} with {', '.join(c.replace('_', ' ') for c in present)}",
                "5-ARI labels: depression and sexual dysfunction reported; hepatic clearance", context, caution=True,
            ))
    return issues


def pregnancy_prevention_missing(context: FormulationContext, protocol: Protocol) -> str:
    """What is missing before a 5-ARI may be given to a person able to become pregnant: documented
    contraception and a negative pregnancy test no older than Protocol.pregnancy_test_valid_days
    (counted from ``context.today``); "" when both are in place."""
    missing = []
    if context.contraception_documented_on is None:
        missing.append("documented contraception")
    test_on = context.negative_pregnancy_test_on
    if test_on is None:
        missing.append("a negative pregnancy test")
    elif context.today is None or (context.today - test_on).days > protocol.pregnancy_test_valid_days:
        missing.append(f"a negative pregnancy test within the last {protocol.pregnancy_test_valid_days} days")
    return " and ".join(missing)


DOSE_CAP_SOURCES: Mapping[str, str] = MappingProxyType({
    "minoxidil": "Protocol.drug_dose_caps_mg (default 5 mg: the adult starting dose of oral minoxidil, Loniten label); "
                 "scalp microinfusion of 0.5% lowered diastolic blood pressure (Basilio 2025 Arch Dermatol Res 317:750)",
    "dutasteride": "Protocol.drug_dose_caps_mg (default 0.5 mg: the oral daily dose, Avodart label); injected dutasteride "
                   "is absorbed (semen and serum DHT changed: Sobhy 2013 Our Dermatol Online 4:40)",
    "finasteride": "Protocol.drug_dose_caps_mg (default 1 mg: the oral daily dose for hair loss, Propecia label; Kaufman 1998)",
})
