"""The session checklist: what the record of a mesotherapy session must show before it is signed.

- The patient's identity was confirmed (name and date of birth): two identifiers before any
  procedure, the WHO patient-safety practice (Patient Identification, WHO Patient Safety
  Solutions vol. 1 sol. 2, 2007).
- The scalp was cleansed before injecting: the step between diagnosis and micro-injections in the
  programme (domain.md §1); injection-site infections are the serious adverse event (domain.md §2).
- Pain is scored on the 0-10 numeric rating scale: pain is the commonest adverse event
  (about 45%, Saceda-Corralo 2022; domain.md §2), so every session records it on one scale.
- The lots drawn account for every millilitre injected, each lot listed once with its total:
  infections have been traced to multi-dose vials, so a recall must find every patient a lot
  reached (domain.md §2, "lot tracing and clustering of infections by lot matter").

Pure: the service gathers the answers, this module says what is missing, naming each field.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from anagen.core.errors import FieldError

PAIN_SCORE_MIN = 0
PAIN_SCORE_MAX = 10


def checklist_errors(*, identity_confirmed: bool, scalp_cleansed: bool, pain_score: int) -> list[FieldError]:
    """The steps of the session itself that were not done or not recorded."""
    errors: list[FieldError] = []
    if not identity_confirmed:
        errors.append(FieldError("identity_confirmed", "Confirm the patient's identity (name and date of birth)."))
    if not scalp_cleansed:
        errors.append(FieldError("scalp_cleansed", "Cleanse the scalp before injecting."))
    if not PAIN_SCORE_MIN <= pain_score <= PAIN_SCORE_MAX:
        errors.append(FieldError("pain_score", f"Pain is scored {PAIN_SCORE_MIN} to {PAIN_SCORE_MAX}."))
    return errors


def lot_errors(lots: Sequence[tuple[int, Decimal]], injected_volume_ml: Decimal) -> list[FieldError]:
    """What is wrong with the lots drawn (``(lot_id, volume_ml)`` each) for ``injected_volume_ml``:
    the first problem found, named on ``lots``, or nothing."""
    if not lots:
        return [FieldError("lots", "Record the lot(s) used.")]
    if len({lot_id for lot_id, _ in lots}) != len(lots):
        return [FieldError("lots", "Each lot is listed once, with its total volume.")]
    drawn_ml = sum((volume_ml for _, volume_ml in lots), Decimal(0))
    if drawn_ml < injected_volume_ml:
        return [FieldError("lots", f"The lots account for {drawn_ml} mL but {injected_volume_ml} mL was injected.")]
    return []
