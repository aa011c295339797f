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

from collections.abc import Mapping
from dataclasses import dataclass
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
    }
)


def template_for(diagnosis: Diagnosis, templates: Mapping[Diagnosis, Formulation] = TEMPLATES) -> Formulation:
    """The clinic's starting formulation for a diagnosis (clinic protocol: TEMPLATES)."""
    if diagnosis not in templates:
        raise InvalidInput.single(
            "diagnosis", f"no mesotherapy template for {diagnosis}: refer to a dermatologist (domain.md §6)"
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


@dataclass(frozen=True)
class FormulationContext:
    """What the checks need to know about the patient and the paperwork."""

    allergies: frozenset[str]
    planning_conception: bool
    trichologist_signoff: bool
    consent_documented: bool

    def __post_init__(self) -> None:
        c = Checks()
        for name in ("planning_conception", "trichologist_signoff", "consent_documented"):
            c.boolean(name, getattr(self, name))
        c.done()


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


def check_formulation(
    formulation: Formulation,
    context: FormulationContext,
    protocol: Protocol,
    catalogue: Mapping[str, Ingredient] = CATALOGUE,
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
    ok = not any(issue.severity is IssueSeverity.ERROR for issue in issues)
    return FormulationCheck(ok, total, tuple(issues))
