from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from anagen.accounts.permissions import staff_required
from anagen.audit.services import Actor
from anagen.patients import services
from anagen.patients.forms import PatientForm, PatientSearchForm
from anagen.patients.models import Patient

PAGE_SIZE = 25


def patient_for(request: HttpRequest, patient_id: int, *, audit_read: bool = True) -> Patient:
    """The one way a page fetches a patient: within the signed-in staff member's clinic (another
    clinic's id is a 404, as a missing one) and audited as a read of the patient, unless the page
    audits its own, more specific read (``audit_read=False``)."""
    return services.get_patient(Actor.from_request(request), request.clinic, patient_id, audit_read=audit_read)


@staff_required()
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    # The search is POSTed: a name or a phone number never goes into a URL, a browser's history
    # or a proxy's log. Plain GET lists the clinic's patients page by page.
    form = PatientSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    paginator = Paginator(services.search_patients(request.clinic, query), PAGE_SIZE)
    page = paginator.get_page(request.POST.get("page") or request.GET.get("page"))
    patients = list(page.object_list)
    services.record_list_read(Actor.from_request(request), patients)
    context = {"form": form, "page": page, "query": query, "rows": _result_rows(patients)}
    template = "patients/_results.html" if request.htmx and request.htmx.target == "patient-results" else "patients/list.html"
    return render(request, template, context)


def _result_rows(patients: list[Patient]) -> list[dict[str, str]]:
    """The result table's cells as plain strings: the search re-renders this table as staff type,
    and resolving model attributes, lazy labels and filters cell by cell in the template cost more
    than the search itself."""
    return [{"mrn": p.mrn, "url": reverse("patients:detail", args=[p.pk]), "name": p.full_name,
             "born": f"{p.date_of_birth.day} {p.date_of_birth:%b %Y}", "sex": str(p.get_sex_display()),
             "phone": p.phone_display, "booked_online": p.needs_duplicate_check} for p in patients]


@staff_required()
@never_cache
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    duplicates: list = []
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.register_patient(
                Actor.from_request(request),
                request.clinic,
                form.registry_values(),
                confirm_duplicate=form.cleaned_data.get("confirm_duplicate", False),
            )
        except services.DuplicateSuspected as exc:
            duplicates = exc.candidates
            form.add_error(
                "confirm_duplicate",
                _("A patient with this phone number and date of birth already exists. Open that "
                  "record, or tick the box if this is a different person."),
            )
        except services.DuplicateAbhaNumber as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Registered %(name)s as %(mrn)s.") % {"name": patient.full_name, "mrn": patient.mrn})
            if request.POST.get("then") == "book":
                # "New patient" from reception's Today ends on the booking form, patient filled in.
                return redirect(f"{reverse('scheduling:book')}?{urlencode({'patient': patient.pk})}")
            return redirect("patients:detail", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    then = request.POST.get("then") or request.GET.get("then") or ""
    return render(request, "patients/form.html", {"form": form, "duplicates": duplicates, "creating": True,
                                                  "then": then if then == "book" else ""}, status=status)


@staff_required()
@never_cache
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(actor, patient, form.registry_values(), expected_version=form.cleaned_data.get("version"))
        except services.StaleWrite:
            form.add_error(None, _("Someone else changed this record while you were editing it. Reload the page to see their changes."))
        except services.DuplicateAbhaNumber as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/form.html", {"form": form, "patient": patient, "creating": False}, status=status)


@staff_required()
@require_POST
def duplicate_checked(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Reception clears the "booked online: check for duplicates" flag of a self-registered patient."""
    patient = patient_for(request, patient_id, audit_read=False)
    services.clear_duplicate_check(Actor.from_request(request), patient)
    messages.success(request, _("Checked: this record is no longer flagged as a possible duplicate."))
    return redirect("patients:detail", patient_id=patient.pk)
