"""The patient header: the safety facts on every page about one patient, and the tabs below it
(issue 20, item 1).

Sticky at the top of the page, about 120 px: who the patient is (the name in Devanagari too when
recorded), age and sex, record number, a phone link and the latest vertex photograph; chips for
allergies, the screening verdict, the treatment consent, the course ("5/8 · next 15 Dec"), the
response with a small trend line, the next appointment and the balance due; and the actions of
the point of care. Reception sees no clinical fact (allergies, screening, response, photographs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from anagen.core import display
from anagen.core.billing import format_paise
from anagen.core.identifiers import format_phone
from anagen.photos.models import Photo
from anagen.scheduling.models import Kind
from anagen.scheduling.services import upcoming_for_patient
from anagen.ui import labels
from anagen.web.facts import (
    ALLERGIES_LISTED,
    ALLERGIES_NONE,
    Facts,
    Known,
    density_trend,
    facts_for,
)
from anagen.web.timeline import consultation_due_today

# The tabs below the header: (key, label, URL name, clinical only).
TABS = (
    ("overview", _("Overview"), "patients:detail", False),
    ("consultations", _("Consultations"), "patients:consultations", True),
    ("course", _("Course & sessions"), "patients:course", False),
    ("progress", _("Progress & photos"), "outcomes:progress", True),
    ("consents", _("Consents"), "consents:patient", False),
    ("billing", _("Billing"), "billing:patient", False),
    ("data", _("Data"), "patients:data", False),
)

# Which tab a page belongs to, by its URL name (the namespace alone when the whole app is one tab).
TAB_OF_VIEW = {
    "patients:detail": "overview", "patients:edit": "overview",
    "patients:consultations": "consultations", "consultations": "consultations",
    "patients:course": "course", "treatments": "course", "procedures": "course", "safety": "course",
    "scheduling": "course",
    "outcomes": "progress", "photos": "progress",
    "consents": "consents",
    "billing": "billing",
    "patients:data": "data", "interop": "data", "portal": "data", "reminders": "data", "privacy": "data",
}


@dataclass
class Chip:
    text: str
    tone: str = ""  # "danger", "warn", "ok" or "" (plain)
    label: str = ""
    href: str = ""
    kind: str = ""


@dataclass
class Header:
    patient: Any
    age: int
    sex: str
    phone: str
    phone_e164: str
    photo_url: str = ""
    chips: list[Chip] = field(default_factory=list)
    course_bar: dict[str, Any] | None = None
    trend_points: str = ""
    actions: list[dict[str, Any]] = field(default_factory=list)
    tabs: list[dict[str, Any]] = field(default_factory=list)
    facts: Facts | None = None
    # The Overview has no title of its own: the header's name is the page's heading there.
    is_overview: bool = False


def _tab_for(view_name: str) -> str:
    if view_name in TAB_OF_VIEW:
        return TAB_OF_VIEW[view_name]
    return TAB_OF_VIEW.get(view_name.split(":")[0], "overview")


def _sparkline(points: list[tuple[dt.date, Any]], width: int = 64, height: int = 18) -> str:
    """SVG polyline points for the density readings (oldest left): the shape, not the numbers."""
    if len(points) < 2:
        return ""
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (v - low) / span * (height - 2) - 1:.1f}" for i, v in enumerate(values))


def build_header(request: Any, patient: Any, known: Known | None = None) -> Header:
    """``known``: what the page already read about the patient (the patient page's timeline and
    consents), so that the header does not read it twice."""
    user = request.user
    clinical = user.sees_clinical_content
    today = timezone.localdate()
    known = known or Known()
    facts = facts_for(request.clinic, [patient.pk], today, clinical=clinical, for_header=True, known=known)[patient.pk]
    header = Header(
        patient=patient, age=patient.age_on(today), sex=str(patient.get_sex_display()),
        phone=format_phone(patient.phone), phone_e164=patient.phone, facts=facts,
    )
    chips = header.chips
    if clinical:
        if facts.allergy_state == ALLERGIES_LISTED:
            chips.append(Chip(facts.allergy_text, "danger", str(_("Allergies")), kind="allergies"))
        elif facts.allergy_state == ALLERGIES_NONE:
            chips.append(Chip(str(_("None known")), "ok", str(_("Allergies")), kind="allergies"))
        else:
            chips.append(Chip(str(_("Not recorded")), "warn", str(_("Allergies")), kind="allergies"))
        if facts.has_signed_consultation:
            tone = {"not_eligible": "danger", "defer": "warn", "eligible_with_cautions": "warn"}.get(facts.screening_verdict, "ok")
            on = date_format(facts.screening_on, "j M Y") if facts.screening_on else ""
            chips.append(Chip(f"{labels.label(facts.screening_verdict, 'verdict')} · {on}", tone, str(_("Screening")), kind="screening"))
        else:
            chips.append(Chip(str(_("Not screened")), "warn", str(_("Screening")), kind="screening"))
    chips.append(Chip(str(_("Signed")) if facts.consent_valid else facts.consent_label, "ok" if facts.consent_valid else "warn",
                      str(_("Treatment consent")), reverse("consents:patient", args=[patient.pk]), kind="consent"))
    if facts.course is not None:
        c = facts.course
        nxt = c.next_session
        header.course_bar = {
            "done": c.done, "total": c.total, "percent": round(100 * c.done / c.total) if c.total else 0,
            "next": date_format(timezone.localtime(nxt.starts_at).date(), "j M") if nxt else "",
            "href": reverse("treatments:course", args=[c.course.pk]) if clinical else reverse("patients:course", args=[patient.pk]),
        }
    if clinical and facts.response_class:
        tone = {"worse": "danger", "none": "warn", "partial": "", "good": "ok"}.get(facts.response_class, "")
        text = labels.label(facts.response_class, "response")
        if facts.response_class == "worse":
            text = f"{text}: {labels.label('stop_and_review_diagnosis', 'next_step')}"
        chips.append(Chip(text, tone, str(_("Response")), reverse("outcomes:progress", args=[patient.pk]), kind="response"))
        header.trend_points = _sparkline(density_trend(patient))
    elif clinical and facts.flagged:
        chips.append(Chip(str(_("Likely non-responder")), "warn", str(_("Response")), reverse("outcomes:progress", args=[patient.pk])))
    upcoming = known.upcoming if known.upcoming is not None else upcoming_for_patient(patient.clinic, patient)
    nxt = upcoming[0] if upcoming else None
    if nxt is not None:
        local = timezone.localtime(nxt.starts_at)
        chips.append(Chip(f"{nxt.get_kind_display()} · {date_format(local.date(), 'j M')}, {display.clock(local)}", "",
                          str(_("Next")), reverse("scheduling:detail", args=[nxt.pk]), kind="next"))
    else:
        chips.append(Chip(str(_("Nothing booked")), "", str(_("Next")), kind="next"))
    if facts.balance_due_paise:
        chips.append(Chip(format_paise(facts.balance_due_paise), "warn", str(_("Balance due")), reverse("billing:patient", args=[patient.pk]), kind="balance"))

    if clinical:
        photo = (Photo.objects.filter(patient=patient, view="vertex", taken_by_patient=False).only("pk").order_by("-visit_date", "-id").first())
        if photo is not None:
            header.photo_url = reverse("photos:thumbnail", args=[photo.pk])

    if patient.needs_duplicate_check:
        chips.insert(0, Chip(str(_("Check for duplicates")), "warn", str(_("Booked online")), kind="booked_online"))
    actions = header.actions
    if patient.needs_duplicate_check:
        actions.append({"label": _("Not a duplicate: clear the flag"), "post": reverse("patients:duplicate_checked", args=[patient.pk])})
    actions.append({"label": _("Book"), "href": reverse("scheduling:book") + f"?patient={patient.pk}"})
    if user.role == "trichologist":
        due = consultation_due_today(upcoming, today)
        actions.append({"label": _("Start consultation"),
                        "post": reverse("today_consult", args=[due.pk]) if due else reverse("consultations:start", args=[patient.pk])})
    today_session = next((a for a in upcoming if a.kind == Kind.MESOTHERAPY_SESSION and timezone.localtime(a.starts_at).date() == today), None)
    if today_session is not None and user.role in ("practitioner", "trichologist"):
        actions.append({"label": _("Record today's session"), "href": reverse("procedures:record", args=[today_session.pk]), "primary": True})
    actions.append({"label": _("New invoice"), "href": reverse("billing:new_invoice", args=[patient.pk])})

    view_name = request.resolver_match.view_name if request.resolver_match else ""
    active = _tab_for(view_name)
    header.is_overview = view_name == "patients:detail"
    for key, label, url_name, clinical_only in TABS:
        if clinical_only and not clinical:
            continue
        header.tabs.append({"key": key, "label": label, "href": reverse(url_name, args=[patient.pk]), "active": key == active})
    return header
