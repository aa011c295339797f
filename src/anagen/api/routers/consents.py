"""Consent texts (the clinic admin publishes them) and a patient's consents: signing with a typed
name and acknowledgement or a drawn signature, withdrawing, and the DPDP ledger (every member of
staff, reception included, as on the web: consent status is not a clinical note)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import Id, ModelOut, actor, clinic, page_of, schema_of
from anagen.api.problems import form_errors, invalid
from anagen.api.routers.patients import ConsentRecordOut, consent_record_out
from anagen.api.routers.patients import router as patients_router
from anagen.consents import services
from anagen.consents.forms import PublishTextForm
from anagen.consents.models import ConsentRecord, ConsentText
from anagen.consents.signature import DATA_URL_PREFIX, InvalidSignature, decode_data_url
from anagen.core.errors import FieldError
from anagen.patients import services as patient_services

router = Router(tags=["consents"])

PurposeCode = Literal["treatment", "photographs", "marketing_photographs", "reminders", "abdm_sharing"]
LanguageCode = Literal["en", "hi"]


class ConsentTextOut(ModelSchema, ModelOut):
    id: int
    created_by_id: int | None

    class Meta:
        model = "consents.ConsentText"
        fields = ["id", "purpose", "language", "version", "title", "body", "requires_reconsent", "published_at"]


class ConsentTextIn(Schema):
    purpose: PurposeCode
    language: LanguageCode = "en"
    title: str
    body: str
    requires_reconsent: bool = False


class SignIn(Schema):
    text_id: Id
    method: Literal["typed", "drawn"]
    typed_name: str = ""
    acknowledged: bool = False
    signature_png: str = ""


class WithdrawIn(Schema):
    reason: str


LedgerEntryOut = schema_of(services.LedgerEntry, name="LedgerEntryOut", exclude=("purpose_label", "kind_label"))


class LedgerOut(Schema):
    patient_id: int
    entries: list[LedgerEntryOut]


@router.get("/consent-texts", response=page_of(ConsentTextOut), auth=auth.ADMIN, summary="List consent texts (every version)")
def list_texts(request: HttpRequest, purpose: PurposeCode | None = None, language: LanguageCode | None = None,
               page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By purpose, language and newest version first (clinic admin, like the texts page)."""
    found = services.list_texts(clinic(request), purpose=purpose, language=language, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/consent-texts", response={201: ConsentTextOut}, auth=auth.ADMIN, summary="Publish a consent text's next version")
def publish(request: HttpRequest, payload: ConsentTextIn) -> Any:
    """The next version for the purpose and language; ``requires_reconsent`` asks patients who signed
    an earlier version to sign again."""
    form = PublishTextForm({**payload.model_dump(), "requires_reconsent": "on" if payload.requires_reconsent else ""})
    if not form.is_valid():
        raise invalid(form_errors(form))
    data = form.cleaned_data
    text = services.publish_text(actor(request), clinic(request), data["purpose"], data["language"], data["title"],
                                 data["body"], requires_reconsent=data["requires_reconsent"])
    return Status(201, text)


@router.get("/consent-texts/{text_id}", response=ConsentTextOut, auth=auth.ADMIN, summary="Read a consent text")
def get_text(request: HttpRequest, text_id: int) -> Any:
    return services.get_text(clinic(request), text_id)


def _signature(payload: SignIn) -> bytes | None:
    if payload.method != "drawn":
        return None
    value = payload.signature_png.strip()
    if value and not value.startswith("data:"):
        value = DATA_URL_PREFIX + value
    try:
        return decode_data_url(value)
    except InvalidSignature as exc:
        raise invalid([FieldError("signature_png", str(exc))]) from exc


# On the patients router: one path, one router (ninja dispatches a path to the router that declared it first).
@patients_router.post("/patients/{patient_id}/consents", response={201: ConsentRecordOut}, auth=auth.ANY_STAFF, tags=["consents"],
                      summary="Record a patient's consent on the current text")
def sign(request: HttpRequest, patient_id: int, payload: SignIn) -> Any:
    """``text_id`` is the exact version shown to the patient and must be the current one (a newer
    version published meanwhile: 409). ``method: typed`` needs ``typed_name`` and
    ``acknowledged: true``; ``method: drawn`` needs ``signature_png``, a PNG as base64 or a
    ``data:image/png;base64,`` URL, checked like the signature box's. The caller is the witness."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id, audit_read=False)
    text = ConsentText.objects.filter(pk=payload.text_id, clinic=clinic(request)).first()
    if text is None:
        raise invalid([FieldError("text_id", "No such consent text in your clinic.")])
    png = _signature(payload)
    record = services.sign_consent(who, patient, text, method=payload.method, signature_png=png,
                                   typed_name=payload.typed_name, acknowledged=payload.acknowledged,
                                   witness=request.user)  # type: ignore[arg-type]
    return Status(201, consent_record_out(_reload(record.pk)))


def _reload(record_id: int) -> Any:
    return ConsentRecord.objects.select_related("text").prefetch_related("events").get(pk=record_id)


@router.post("/consents/{record_id}/withdraw", response=ConsentRecordOut, auth=auth.ANY_STAFF,
             summary="Withdraw a patient's consent")
def withdraw(request: HttpRequest, record_id: int, payload: WithdrawIn) -> Any:
    """The record stays; its status becomes withdrawn. Withdrawing twice, or a record a later
    consent replaced, is refused with 409."""
    who = actor(request)
    record = services.get_record(who, clinic(request), record_id, audit_as=None)
    if len(payload.reason) > 2000:
        raise invalid([FieldError("reason", "Keep the reason under 2000 characters.")])
    services.withdraw_consent(who, record, payload.reason)
    return consent_record_out(_reload(record.pk))


@router.get("/patients/{patient_id}/consent-ledger", response=LedgerOut, auth=auth.ANY_STAFF,
            summary="A patient's consent ledger (every event, oldest first)")
def ledger(request: HttpRequest, patient_id: int) -> Any:
    """Every consent event of the patient, all purposes, each with the text version it concerns."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id, audit_read=False)
    return {"patient_id": patient.pk, "entries": [e.__dict__ for e in services.read_ledger(who, patient)]}
