"""The at-the-chair check (core/safety.py: check_session_draw): allergies through each product's
ingredient list, the product against the signed formulation, and the three volumes reconciled."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol
from anagen.core.safety import (
    DrawnProduct,
    DrawProblemCode,
    PrescribedFormulation,
    check_session_draw,
    reconcile_volumes,
)

D = Decimal
PROTOCOL = Protocol()
COCKTAIL = DrawnProduct(1, 10, "Vital Hair Cocktail", frozenset({"biotin", "dexpanthenol", "niacinamide"}), D("2.00"))
COMPOUNDED = PrescribedFormulation(frozenset({"biotin", "dexpanthenol", "niacinamide", "ghk_cu"}), frozenset(), D("2.00"))


def codes(check):
    return [p.code for p in check.problems]


def test_a_biotin_allergic_patient_is_refused_a_lot_containing_biotin_whatever_reason_is_given():
    check = check_session_draw([COCKTAIL], COMPOUNDED, D("2.00"), allergies={"biotin"}, protocol=PROTOCOL,
                               product_reason="only lot in stock", volume_reason="x")
    assert not check.ok
    assert [p.code for p in check.blocking] == [DrawProblemCode.PRODUCT_ALLERGY]
    assert check.blocking[0].field == "lots[0]"
    assert "biotin" in check.blocking[0].message


def test_an_allergy_to_an_ingredient_the_product_does_not_contain_passes():
    check = check_session_draw([COCKTAIL], COMPOUNDED, D("2.00"), allergies={"zinc"}, protocol=PROTOCOL)
    assert check.ok and check.problems == ()


def test_a_product_without_an_ingredient_list_is_refused_for_a_patient_with_allergies():
    unknown = replace(COCKTAIL, ingredients=frozenset())
    check = check_session_draw([unknown], COMPOUNDED, D("2.00"), allergies={"zinc"}, protocol=PROTOCOL, product_reason="r")
    assert [p.code for p in check.blocking] == [DrawProblemCode.PRODUCT_INGREDIENTS_UNKNOWN]


def test_the_second_of_two_lots_is_named_when_it_holds_the_allergen():
    ghk = DrawnProduct(2, 11, "GHK-Cu", frozenset({"ghk_cu"}), D("1.00"))
    check = check_session_draw([replace(COCKTAIL, volume_ml=D("1.00")), ghk], COMPOUNDED, D("2.00"),
                               allergies={"ghk_cu"}, protocol=PROTOCOL)
    assert [(p.code, p.field) for p in check.blocking] == [(DrawProblemCode.PRODUCT_ALLERGY, "lots[1]")]


def test_a_product_with_an_ingredient_outside_a_compounded_formulation_needs_a_reason():
    formulation = replace(COMPOUNDED, ingredients=frozenset({"biotin", "dexpanthenol"}))
    refused = check_session_draw([COCKTAIL], formulation, D("2.00"), allergies=(), protocol=PROTOCOL)
    assert [p.code for p in refused.blocking] == [DrawProblemCode.PRODUCT_NOT_PRESCRIBED]
    assert "niacinamide" in refused.blocking[0].message
    allowed = check_session_draw([COCKTAIL], formulation, D("2.00"), allergies=(), protocol=PROTOCOL,
                                 product_reason="Prescribed product out of stock; trichologist phoned")
    assert allowed.ok and allowed.product_substituted and allowed.needs_trichologist_review


def test_a_blank_reason_is_no_reason():
    formulation = replace(COMPOUNDED, ingredients=frozenset({"biotin"}))
    check = check_session_draw([COCKTAIL], formulation, D("2.00"), allergies=(), protocol=PROTOCOL, product_reason="   ")
    assert not check.ok and not check.product_substituted


def test_a_formulation_naming_products_accepts_only_those_products():
    named = replace(COMPOUNDED, product_ids=frozenset({10}))
    assert check_session_draw([COCKTAIL], named, D("2.00"), allergies=(), protocol=PROTOCOL).ok
    other = replace(COCKTAIL, product_id=99, product_name="Other cocktail")
    check = check_session_draw([other], named, D("2.00"), allergies=(), protocol=PROTOCOL)
    assert [p.code for p in check.blocking] == [DrawProblemCode.PRODUCT_NOT_PRESCRIBED]
    assert "Other cocktail" in check.blocking[0].message


def test_half_a_millilitre_mapped_against_two_drawn_blocks_signing_until_a_reason_is_given():
    check = check_session_draw([COCKTAIL], COMPOUNDED, D("0.50"), allergies=(), protocol=PROTOCOL)
    assert [p.code for p in check.blocking] == [DrawProblemCode.VOLUME_MISMATCH]
    assert check.blocking[0].field == "volume_discrepancy_reason"
    with_reason = check_session_draw([COCKTAIL], COMPOUNDED, D("0.50"), allergies=(), protocol=PROTOCOL,
                                     volume_reason="Patient asked to stop after the frontal zone (pain)")
    assert with_reason.ok and with_reason.volume_discrepancy


@pytest.mark.parametrize(("drawn", "mapped", "within"), [
    ("2.10", "2.00", True),   # exactly the tolerance: within it
    ("2.11", "2.00", False),  # one hundredth over
    ("2.00", "1.90", True),
    ("2.00", "1.89", False),
])
def test_the_tolerance_boundary_is_inclusive(drawn, mapped, within):
    check = check_session_draw([replace(COCKTAIL, volume_ml=D(drawn))], COMPOUNDED, D(mapped), allergies=(), protocol=PROTOCOL)
    assert check.ok is within
    assert (DrawProblemCode.VOLUME_MISMATCH in codes(check)) is not within


def test_each_pair_of_volumes_is_reported_with_its_signed_difference():
    differences, problems = reconcile_volumes(D("2.20"), D("2.00"), D("1.95"), PROTOCOL)
    assert [(d.between, d.difference_ml, d.within_tolerance) for d in differences] == [
        ("drawn_vs_mapped", D("0.25"), False), ("mapped_vs_prescribed", D("-0.05"), True), ("drawn_vs_prescribed", D("0.20"), False),
    ]
    assert [p.code for p in problems] == [DrawProblemCode.VOLUME_MISMATCH]


def test_less_drawn_than_injected_and_more_injected_than_prescribed_are_refused_even_with_a_reason():
    less = check_session_draw([replace(COCKTAIL, volume_ml=D("1.00"))], COMPOUNDED, D("1.50"), allergies=(),
                              protocol=PROTOCOL, volume_reason="r")
    assert [p.code for p in less.blocking] == [DrawProblemCode.DRAWN_LESS_THAN_INJECTED]
    more = check_session_draw([replace(COCKTAIL, volume_ml=D("2.50"))], COMPOUNDED, D("2.50"), allergies=(),
                              protocol=PROTOCOL, volume_reason="r")
    assert [p.code for p in more.blocking] == [DrawProblemCode.INJECTED_MORE_THAN_PRESCRIBED]


def test_no_lot_at_all_is_refused():
    check = check_session_draw([], COMPOUNDED, D("2.00"), allergies=(), protocol=PROTOCOL)
    assert [p.field for p in check.blocking] == ["lots"]


def test_the_tolerance_is_a_protocol_setting():
    strict = replace(PROTOCOL, volume_reconciliation_tolerance_ml=D("0"))
    check = check_session_draw([replace(COCKTAIL, volume_ml=D("2.01"))], COMPOUNDED, D("2.00"), allergies=(), protocol=strict)
    assert not check.ok
    with pytest.raises(InvalidInput):
        replace(PROTOCOL, volume_reconciliation_tolerance_ml=D("-1"))
