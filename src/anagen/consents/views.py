from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anagen.accounts.models import content_language, document_language
from anagen.accounts.permissions import admin_only, any_staff
from anagen.audit.services import Actor
from anagen.consents import pdf, services
from anagen.consents.forms import PublishTextForm, SignConsentForm, WithdrawForm
from anagen.consents.models import ConsentText, Language, Method, Purpose
from anagen.patients.views import patient_for

# --- consent texts (clinic admin) ----------------------------------------------------------


@admin_only
def text_list(request: HttpRequest) -> HttpResponse:
    grouped = services.texts_by_purpose(request.clinic)
    sections = [{"purpose": p, "label": Purpose(p).label, "texts": grouped[p]} for p in Purpose.values]
    return render(request, "consents/text_list.html", {"sections": sections})


@admin_only
def text_publish(request: HttpRequest) -> HttpResponse:
    initial: dict[str, object] = {}
    purpose, language = request.GET.get("purpose", ""), request.GET.get("language", Language.ENGLISH)
    if purpose in Purpose.values and language in Language.values:
        initial = {"purpose": purpose, "language": language}
        base = services.current_text(request.clinic, purpose, language)
        if base is not None:
            initial.update(title=base.title, body=base.body)
    form = PublishTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            text = services.publish_text(
                Actor.from_request(request), request.clinic, data["purpose"], data["language"],
                data["title"], data["body"], requires_reconsent=data["requires_reconsent"],
            )
        except services.ConsentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Published version %(version)s of “%(title)s”.") % {"version": text.version, "title": text.title})
            return redirect("consents:text_detail", text_id=text.pk)
    return render(request, "consents/text_form.html", {"form": form}, status=400 if form.errors else 200)


@admin_only
def text_detail(request: HttpRequest, text_id: int) -> HttpResponse:
    text = services.get_text(request.clinic, text_id)
    signed = text.records.count()
    return render(request, "consents/text_detail.html", {"text": text, "signed": signed})


# --- a patient's consents (all staff) ------------------------------------------------------


@any_staff
def patient_consents(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    statuses = services.read_consents(actor, patient)
    available = set(ConsentText.objects.filter(clinic=request.clinic).values_list("purpose", flat=True).distinct())
    rows = [s for p, s in statuses.items() if p in available or s.record is not None]
    records = services.patient_records(patient)
    current = {s.record.pk for s in statuses.values() if s.record is not None}
    return render(
        request,
        "consents/patient.html",
        {"patient": patient, "rows": rows, "records": records, "current_ids": current, "purposes_without_text": not available},
    )


# Reception may witness a signature: consent status is not a clinical note.
@any_staff
@never_cache
def sign(request: HttpRequest, patient_id: int, purpose: str) -> HttpResponse:
    if purpose not in Purpose.values:
        raise Http404
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    # The patient reads the text in their own language unless staff choose another (for a relative).
    language = request.POST.get("language") or request.GET.get("language") or content_language(patient.preferred_language)
    if language not in Language.values:
        language = Language.ENGLISH
    languages = [
        (code, label) for code, label in Language.choices
        if services.current_text(request.clinic, purpose, code) is not None
    ]
    form = SignConsentForm(request.POST or None)
    text = services.current_text(request.clinic, purpose, language)
    if request.method == "POST" and form.is_valid():
        try:
            shown = ConsentText.objects.get(pk=form.cleaned_data["text_id"], clinic=request.clinic, purpose=purpose)
        except ConsentText.DoesNotExist as exc:
            raise Http404 from exc
        try:
            record = services.sign_consent(
                actor, patient, shown,
                method=form.cleaned_data["method"],
                signature_png=form.cleaned_data["signature_png"],
                typed_name=form.cleaned_data["typed_name"],
                acknowledged=form.cleaned_data["acknowledged"],
                witness=request.user,  # type: ignore[arg-type]
            )
        except services.ConsentError as exc:
            field = exc.field if exc.field in form.fields and exc.field != "text_id" else None
            form.add_error(field, exc.message)
            text = services.current_text(request.clinic, purpose, shown.language)
        else:
            messages.success(request, _("Signed: %(purpose)s, version %(version)s.") % {"purpose": Purpose(purpose).label, "version": record.text.version})
            return redirect("consents:record", record_id=record.pk)
    if text is not None:
        # The exact version on screen is the one the signature is recorded against.
        form.initial["text_id"] = text.pk
    if form.is_bound:
        # A refused form is signed again from scratch: a signature never carries over silently
        # to a page the patient has not seen, nor the agreement to a text they have not read.
        data = form.data.copy()
        data["signature_png"] = ""
        if text is None or data.get("text_id") != str(text.pk):
            data["acknowledged"] = ""
            data["text_id"] = str(text.pk) if text is not None else ""
        form.data = data
    context = {
        "patient": patient,
        "purpose": purpose,
        "purpose_label": Purpose(purpose).label,
        "text": text,
        "language": language,
        "languages": languages,
        "form": form,
        "drawn": Method.DRAWN.value,
        "typed": Method.TYPED.value,
    }
    return render(request, "consents/sign.html", context, status=400 if form.errors else 200)


@any_staff
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = services.get_record(Actor.from_request(request), request.clinic, record_id)
    status = services.record_status(record)
    events = list(record.events.select_related("by").order_by("at", "id"))
    is_current = status.record is not None and status.record.pk == record.pk
    return render(
        request,
        "consents/record.html",
        {
            "record": record,
            "patient": record.patient,
            "events": events,
            "status": status,
            "is_current": is_current,
            "can_withdraw": is_current and status.state != services.State.WITHDRAWN,
        },
    )


@require_GET
@any_staff
def record_pdf(request: HttpRequest, record_id: int) -> HttpResponse:
    """The signed consent as PDF: text version, signature, witness and history; the read audited."""
    record = services.get_record(Actor.from_request(request), request.clinic, record_id, audit_as="consent_pdf")
    events = list(record.events.select_related("by").order_by("at", "id"))
    # The frame (labels, history) in the language of the text the patient signed, unless staff ask for another.
    with translation.override(document_language(request.GET.get("language"), record.text.language)):
        content = pdf.consent_pdf(record, events)
    response = HttpResponse(content, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="consent-{record.pk}.pdf"'
    return response


@require_GET
@any_staff
def signature_image(request: HttpRequest, record_id: int) -> HttpResponse:
    """The drawn signature, only to signed-in staff of the clinic, every view audited."""
    record = services.get_record(Actor.from_request(request), request.clinic, record_id, audit_as="consent_signature")
    if not record.signature_png:
        raise Http404
    response = HttpResponse(bytes(record.signature_png), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="consent-{record.pk}-signature.png"'
    return response


@any_staff
def withdraw(request: HttpRequest, record_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    record = services.get_record(actor, request.clinic, record_id, audit_as="consent" if request.method != "POST" else None)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(actor, record, form.cleaned_data["reason"])
        except services.ConsentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Recorded the withdrawal of consent for %(purpose)s.") % {"purpose": record.get_purpose_display().lower()})
            return redirect("consents:record", record_id=record.pk)
    return render(
        request, "consents/withdraw.html", {"record": record, "patient": record.patient, "form": form},
        status=400 if form.errors else 200,
    )


@any_staff
def patient_ledger(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The DPDP consent ledger: every purpose, every event in time order, with its text version."""
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    return render(request, "consents/ledger.html", {"patient": patient, "entries": services.read_ledger(actor, patient)})
