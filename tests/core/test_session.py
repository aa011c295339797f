"""The session checklist (anagen.core.session): each missing step is named on its own field."""

from decimal import Decimal

from anagen.core.errors import FieldError
from anagen.core.session import checklist_errors, lot_errors


def test_a_complete_checklist_has_nothing_to_say():
    assert checklist_errors(identity_confirmed=True, scalp_cleansed=True, pain_score=3) == []


def test_every_missing_step_is_named_at_once():
    errors = checklist_errors(identity_confirmed=False, scalp_cleansed=False, pain_score=11)
    assert [e.field for e in errors] == ["identity_confirmed", "scalp_cleansed", "pain_score"]


def test_pain_is_scored_from_0_to_10_inclusive():
    assert checklist_errors(identity_confirmed=True, scalp_cleansed=True, pain_score=0) == []
    assert checklist_errors(identity_confirmed=True, scalp_cleansed=True, pain_score=10) == []
    assert checklist_errors(identity_confirmed=True, scalp_cleansed=True, pain_score=-1) == [
        FieldError("pain_score", "Pain is scored 0 to 10.")]


def test_lots_that_cover_the_injected_volume_pass():
    assert lot_errors([(1, Decimal("1.5")), (2, Decimal("0.5"))], Decimal("2.0")) == []


def test_a_session_without_lots_is_refused():
    assert lot_errors([], Decimal("2.0")) == [FieldError("lots", "Record the lot(s) used.")]


def test_a_lot_listed_twice_is_refused():
    assert lot_errors([(1, Decimal("1")), (1, Decimal("1"))], Decimal("2")) == [
        FieldError("lots", "Each lot is listed once, with its total volume.")]


def test_lots_that_fall_short_of_the_injected_volume_are_refused_with_both_volumes():
    [error] = lot_errors([(1, Decimal("1.5"))], Decimal("2.0"))
    assert error.field == "lots" and "1.5 mL" in error.message and "2.0 mL" in error.message
