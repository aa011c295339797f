"""Session records (clinical staff read; practitioners and trichologists record)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, page_of
from anagen.api.problems import form_errors, invalid
from anagen.procedures import services
from anagen.procedures.forms import AddendumForm, LotRowForm, SessionForm, session_input
from anagen.procedures.models import LotUsage, SessionAddendum, TreatmentSession

router = Router(tags=["sessions"])


class InjectionPointIn(Schema):
    zone: str
    x: Decimal
    y: Decimal
    volume_ml: Decimal


class LotUseIn(Schema):
    lot_id: Id
    volume_ml: Decimal


class SessionIn(Schema):
    appointment_id: Id
    identity_confirmed: bool
    fever_today: bool = False
    scalp_infection_today: bool = False
    pregnant_today: bool = False
    new_medication_codes: list[str] = []
    new_medicines: str = ""
    scalp_cleansed: bool
    numbing_spray: bool = False
    technique: str
    needle_gauge: int | None = None
    needle_length_mm: Decimal | None = None
    mesogun_settings: str = ""
    depth_mm: Decimal
    injection_style: str
    injection_map: list[InjectionPointIn]
    lots: list[LotUseIn]
    pain_score: int
    immediate_reactions: list[str] = []
    reaction_notes: str = ""
    aftercare_language: str = "en"
    product_substitution_reason: str = ""
    volume_discrepancy_reason: str = ""
    breastfeeding_today: bool = False
    planning_conception_today: bool = False
    scalp_inflammation_today: bool = False
    new_condition_codes: list[str] = []
    new_allergy_codes: list[str] = []
    reaction_last_session: bool = False
    new_bald_patch: bool = False


class InjectionPointOut(Schema):
    zone: str
    x: str
    y: str
    volume_ml: str


class LotUsageOut(Schema):
    lot_id: int
    lot_number: str
    product_name: str
    volume_ml: Decimal


class SessionOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    appointment_id: int
    course_id: int | None
    formulation_id: int
    practitioner_id: int
    new_medication_codes: list[str]
    needle_length_mm: Decimal | None
    depth_mm: Decimal
    injection_map: list[InjectionPointOut]
    total_volume_ml: Decimal
    immediate_reactions: list[str]
    drawn_volume_ml: Decimal | None
    new_condition_codes: list[str]
    new_allergy_codes: list[str]
    lots: list[LotUsageOut]

    class Meta:
        model = "procedures.TreatmentSession"
        fields = ["id", "performed_on", "signed_at", "identity_confirmed", "consent_record_id", "fever_today", "scalp_infection_today", "pregnant_today", "new_medicines", "scalp_cleansed", "numbing_spray", "technique", "needle_gauge", "mesogun_settings", "injection_style", "pain_score", "reaction_notes", "aftercare_language", "product_substitution_reason", "volume_discrepancy_reason", "breastfeeding_today", "planning_conception_today", "scalp_inflammation_today", "reaction_last_session", "new_bald_patch"]


def _usages(session: TreatmentSession) -> list[LotUsage]:
    """The session's lot uses: prefetched by the list endpoint, queried for a single session."""
    prefetched = getattr(session, "lot_usage_list", None)
    if prefetched is not None:
        return prefetched
    return list(session.lot_usages.select_related("lot__product").order_by("id"))


def _out(session: TreatmentSession) -> dict[str, Any]:
    data = {name: getattr(session, name) for name in SessionOut.model_fields if name != "lots"}
    data["lots"] = [
        {"lot_id": u.lot_id, "lot_number": u.lot.lot_number, "product_name": u.lot.product.name, "volume_ml": u.volume_ml}
        for u in _usages(session)
    ]
    return data


@router.get("/sessions", response=page_of(SessionOut), auth=auth.CLINICAL, summary="List session records")
def list_sessions(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
                  course_id: int | None = Query(None, ge=1, le=MAX_ID),
                  page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest first (session date, then id)."""
    found = services.list_sessions(actor(request), clinic(request), patient_id=patient_id, course_id=course_id, page=page,
                                   page_size=page_size)
    return {"items": [_out(s) for s in found.items], **found.meta}


@router.get("/sessions/{session_id}", response=SessionOut, auth=auth.CLINICAL, summary="Read a session record")
def get_session(request: HttpRequest, session_id: int) -> Any:
    return _out(services.get_session(actor(request), clinic(request), session_id))


@router.post("/sessions", response={201: SessionOut}, auth=auth.PERFORMS, summary="Record and sign a session")
def record_session(request: HttpRequest, payload: SessionIn) -> Any:
    """Everything the session page checks (checklist, consent, re-screen, injection map, lots,
    stock), on the day of the appointment; all written or nothing. A signed session is never changed."""
    who = actor(request)
    appointment = services.get_appointment_for_session(who, clinic(request), payload.appointment_id)
    data = payload.model_dump(mode="json")
    form_data: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("appointment_id", "lots", "injection_map"):
            continue
        form_data[name] = ("on" if value else "") if isinstance(value, bool) else ("" if value is None else value)
    form_data["injection_map"] = json.dumps(data["injection_map"])
    form = SessionForm(form_data)
    today = timezone.localdate()
    choices = [(lot.pk, lot.lot_number) for lot in services.selectable_lots(clinic(request), today)]
    lot_forms = [LotRowForm({"lot": str(use["lot_id"]), "volume_ml": str(use["volume_ml"])}, lot_choices=choices)
                 for use in data["lots"]]
    errors = [] if form.is_valid() else form_errors(form)
    for index, lot_form in enumerate(lot_forms):
        if not lot_form.is_valid():
            errors += form_errors(lot_form, f"lots.{index}.")
    if errors:
        raise invalid(errors)

    class _Rows:
        forms = lot_forms

    try:
        session = services.record_session(who, appointment, session_input(form, _Rows), practitioner=request.user, today=today)  # type: ignore[arg-type]
    except services.SessionBlocked as exc:
        raise invalid(exc.errors, "The session cannot be recorded; see errors.") from exc
    return Status(201, _out(session))


class SessionAddendumIn(Schema):
    reason: str
    text: str


class SessionAddendumOut(ModelSchema, ModelOut):
    id: int
    session_id: int
    author_id: int

    class Meta:
        model = "procedures.SessionAddendum"
        fields = ["id", "created_at", "reason", "text"]


@router.get("/sessions/{session_id}/addenda", response=list[SessionAddendumOut], auth=auth.CLINICAL,
            summary="A session record's addenda, oldest first")
def list_addenda(request: HttpRequest, session_id: int) -> Any:
    session = services.get_session(actor(request), clinic(request), session_id)
    return list(SessionAddendum.objects.filter(session=session).order_by("created_at", "id"))


@router.post("/sessions/{session_id}/addenda", response={201: SessionAddendumOut}, auth=auth.CLINICAL,
             summary="Add an addendum to a session record")
def add_addendum(request: HttpRequest, session_id: int, payload: SessionAddendumIn) -> Any:
    """A signed session is never changed: a correction or a late note is an addendum with its reason."""
    who = actor(request)
    session = services.get_session(who, clinic(request), session_id)
    form = AddendumForm(payload.model_dump())
    if not form.is_valid():
        raise invalid(form_errors(form))
    addendum = services.add_addendum(who, session, form.cleaned_data["reason"], form.cleaned_data["text"], request.user)  # type: ignore[arg-type]
    return Status(201, addendum)


class AftercareSectionOut(Schema):
    heading: str
    points: list[str]


class AftercareOut(Schema):
    session_id: int
    language: str
    title: str
    sections: list[AftercareSectionOut]


@router.get("/sessions/{session_id}/aftercare", response=AftercareOut, auth=auth.ANY_STAFF,
            summary="The aftercare sheet of a session")
def aftercare(request: HttpRequest, session_id: int, language: Literal["en", "hi"] | None = None) -> Any:
    """In ``language``, by default the one chosen at the session; the clinic's own text, or the
    default sheet, led by the 5-alpha-reductase inhibitor instructions when the session's
    formulation holds one. Reception may print it too (it holds no clinical notes), as on the web."""
    session = services.get_session(actor(request), clinic(request), session_id)
    chosen = language or session.aftercare_language
    if chosen not in services.LANGUAGES:
        chosen = "en"
    sheet = services.session_aftercare_sheet(session, chosen)
    return {"session_id": session.pk, "language": chosen, "title": sheet.title,
            "sections": [{"heading": heading, "points": list(points)} for heading, points in sheet.sections]}
