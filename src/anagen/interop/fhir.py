"""FHIR R4B resources built from a patient's records, each validated by the fhir.resources models.

Two shapes (docs/fhir.md):
- ``patient_bundle_dict``: the whole record as a ``collection`` Bundle (Patient, Organization,
  Practitioner, Encounter, Condition, Observation, Medication, Procedure, MedicationAdministration,
  CarePlan, Appointment, AdverseEvent, Consent, and Media/DocumentReference for photos and reports
  when those apps have their models).
- ``consultation_document_dict``: one signed consultation as an ABDM-style ``document`` Bundle,
  Composition first (NRCeS DocumentBundle / OPConsultRecord profiles).

Resource ids are UUIDs derived from the record's kind and primary key (``uuid5``), so exporting the
same record twice names it the same way; references inside a bundle are ``urn:uuid:`` full URLs.
Only the bundle's own id, identifier and timestamp change between two exports.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import ValidationError

from anagen.accounts.models import Clinic, User
from anagen.catalog.models import Lot
from anagen.consents.models import ConsentRecord, EventKind
from anagen.consultations.models import DIAGNOSIS_CHOICES, Consultation, LabResult, MeasurementSet
from anagen.core.errors import Conflict
from anagen.core.formulation import CATALOGUE
from anagen.interop import codes as C
from anagen.patients.models import Patient
from anagen.procedures.models import LotUsage, TreatmentSession
from anagen.safety.models import EVENT_TYPE_CHOICES, AdverseEvent
from anagen.scheduling.models import Appointment
from anagen.treatments.models import Course, Formulation

# uuid5 namespace of Anagen resource ids (a fixed, random UUID: never change it).
ID_NAMESPACE = uuid.UUID("7c1d6f0e-3a55-4f0b-9a63-2f6d1f1b8e42")

# Entries of the collection bundle, in this order (then in record order within a type).
TYPE_ORDER = (
    "Patient", "Organization", "Practitioner", "Encounter", "Condition", "Observation", "Medication",
    "Procedure", "MedicationAdministration", "CarePlan", "Appointment", "AdverseEvent", "Consent",
    "Media", "DocumentReference",
)
DIAGNOSIS_LABELS = dict(DIAGNOSIS_CHOICES)
EVENT_LABELS = dict(EVENT_TYPE_CHOICES)
XHTML = "http://www.w3.org/1999/xhtml"


class FhirValidationError(ValueError):
    """A built resource failed the fhir.resources model: a bug in the mapping, never user input."""


class NotSigned(Conflict, ValueError):
    """Only a signed consultation can be shared as a document."""

    kind = "not-signed"


# ------------------------------------------------------------------------------------ helpers


def resource_id(kind: str, key: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"anagen/{kind}/{key}"))


def _clean(value: Any) -> Any:
    """Drop empty values recursively: FHIR forbids empty strings, arrays and objects."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned_list = [_clean(v) for v in value]
        return [v for v in cleaned_list if v not in (None, "", [], {})]
    return value


def _num(value: Decimal | int) -> int | Decimal:
    """A decimal without trailing zeros or exponent (12.500 -> 12.5, 50.000 -> 50)."""
    if isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: dt.datetime | None) -> str | None:
    """An instant in the clinic's zone with its offset, to the second."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _quantity(value: Decimal | int | None, ucum: str, text: str = "") -> dict[str, Any] | None:
    if value is None:
        return None
    quantity: dict[str, Any] = {"value": _num(value), "unit": text or ucum}
    if ucum:
        quantity.update({"system": C.UCUM, "code": ucum})
    return quantity


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body or "<p>-</p>"}</div>'}


def _concept(concept: C.Concept) -> dict[str, Any]:
    return {"coding": [{"system": concept.system, "code": concept.code, "display": concept.display}], "text": concept.display}


def _model_class(resource_type: str) -> Any:
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def validate_resource(resource: dict[str, Any]) -> Any:
    """The fhir.resources R4B model of a resource dict; FhirValidationError names what failed."""
    resource_type = resource["resourceType"]
    try:
        return _model_class(resource_type).model_validate(resource)
    except ValidationError as exc:
        raise FhirValidationError(f"{resource_type}/{resource.get('id')}: {exc}") from exc


def _dump(model: Any) -> dict[str, Any]:
    return json.loads(model.model_dump_json())


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


# ------------------------------------------------------------------------------------ builder


class Builder:
    """Collects resources of one patient, each once, keyed by resource type and record."""

    def __init__(self, patient: Patient):
        self.patient = patient
        self.clinic: Clinic = patient.clinic
        self.resources: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TYPE_ORDER}
        self.resources["Composition"] = {}

    # references -----------------------------------------------------------------------------
    def _add(self, resource: dict[str, Any], kind: str, key: object) -> dict[str, str]:
        rid = resource_id(kind, key)
        bucket = self.resources[resource["resourceType"]]
        if rid not in bucket:
            resource = {"resourceType": resource["resourceType"], "id": rid,
                        "meta": {"profile": [C.PROFILE[resource["resourceType"]]]} if resource["resourceType"] in C.PROFILE else None,
                        **{k: v for k, v in resource.items() if k != "resourceType"}}
            bucket[rid] = _clean(resource)
        return {"reference": f"urn:uuid:{rid}"}

    def _known(self, resource_type: str, kind: str, key: object) -> dict[str, str] | None:
        rid = resource_id(kind, key)
        return {"reference": f"urn:uuid:{rid}"} if rid in self.resources[resource_type] else None

    def _identifier(self, kind: str, pk: object) -> list[dict[str, str]]:
        return [{"system": C.sid(kind), "value": str(pk)}]

    def patient_ref(self) -> dict[str, str]:
        return self.add_patient()

    # Patient, Organization, Practitioner ------------------------------------------------------
    def organization(self) -> dict[str, str]:
        if known := self._known("Organization", "clinic", self.clinic.pk):
            return known
        clinic = self.clinic
        return self._add({
            "resourceType": "Organization",
            "identifier": self._identifier("clinic", clinic.pk)
            + ([{"system": "http://www.cbic.gov.in/gstin", "value": clinic.gstin}] if clinic.gstin else []),
            "active": True,
            "name": clinic.name,
            "telecom": [{"system": "phone", "value": clinic.phone, "use": "work"} if clinic.phone else None,
                        {"system": "email", "value": clinic.email, "use": "work"} if clinic.email else None],
            "address": [{"text": clinic.address, "city": clinic.city, "country": "IN"}] if clinic.address or clinic.city else [],
        }, "clinic", clinic.pk)

    def practitioner(self, user: User | None) -> dict[str, str] | None:
        if user is None:
            return None
        if known := self._known("Practitioner", "staff", user.pk):
            return known
        return self._add({
            "resourceType": "Practitioner",
            "identifier": self._identifier("staff", user.pk),
            "active": user.is_active,
            "name": [{"text": str(user), "family": user.last_name, "given": [user.first_name] if user.first_name else []}],
        }, "staff", user.pk)

    def add_patient(self) -> dict[str, str]:
        if known := self._known("Patient", "patient", self.patient.pk):
            return known
        p = self.patient
        org = self.organization()
        identifiers: list[dict[str, Any]] = [{
            "use": "usual",
            "type": {"coding": [{"system": C.IDENTIFIER_TYPE, "code": "MR", "display": "Medical record number"}]},
            "system": C.sid("mrn"), "value": p.mrn, "assigner": org,
        }]
        if p.abha_number:
            identifiers.append({"use": "official", "type": {"text": "ABHA number"}, "system": C.ABHA_NUMBER_SYSTEM,
                                "value": p.abha_number_display})
        if p.abha_address:
            identifiers.append({"type": {"text": "ABHA address"}, "system": C.ABHA_ADDRESS_SYSTEM, "value": p.abha_address})
        contact = None
        if p.emergency_contact_name or p.emergency_contact_phone:
            contact = {
                "relationship": [{"coding": [{"system": C.CONTACT_ROLE, "code": "C", "display": "Emergency Contact"}]}],
                "name": {"text": p.emergency_contact_name} if p.emergency_contact_name else None,
                "telecom": [{"system": "phone", "value": p.emergency_contact_phone}] if p.emergency_contact_phone else [],
            }
        return self._add({
            "resourceType": "Patient",
            "identifier": identifiers,
            "active": True,
            "name": [{"use": "official", "text": p.full_name, "family": p.family_name, "given": [p.given_name]}],
            "telecom": [{"system": "phone", "value": p.phone, "use": "mobile"},
                        {"system": "email", "value": p.email, "use": "home"} if p.email else None],
            "gender": p.sex,
            "birthDate": _date(p.date_of_birth),
            "address": [{"text": p.address, "country": "IN"}] if p.address else [],
            "contact": [contact] if contact else [],
            "managingOrganization": org,
        }, "patient", p.pk)

    # Consultations ---------------------------------------------------------------------------
    def encounter(self, c: Consultation) -> dict[str, str]:
        if known := self._known("Encounter", "consultation", c.pk):
            return known
        return self._add({
            "resourceType": "Encounter",
            "identifier": self._identifier("consultation", c.pk),
            "status": "finished" if c.is_signed else "in-progress",
            "class": {"system": C.ACT_CODE, "code": "AMB", "display": "ambulatory"},
            "type": [{"text": "Trichology consultation"}],
            "subject": self.patient_ref(),
            "participant": [{"individual": self.practitioner(c.author)}],
            "period": {"start": _date(c.consulted_on)},
            "reasonCode": [{"text": c.presenting_complaint}] if c.presenting_complaint else [],
            "serviceProvider": self.organization(),
        }, "consultation", c.pk)

    def conditions(self, c: Consultation) -> list[dict[str, str]]:
        refs = []
        for rank, code in (("primary", c.diagnosis_primary), ("secondary", c.diagnosis_secondary)):
            if not code:
                continue
            label = DIAGNOSIS_LABELS.get(code, _label(code))
            refs.append(self._add({
                "resourceType": "Condition",
                "identifier": [{"system": C.sid("diagnosis"), "value": f"{c.pk}-{rank}"}],
                "clinicalStatus": {"coding": [{"system": C.CONDITION_CLINICAL, "code": "active"}]},
                "verificationStatus": {"coding": [{"system": C.CONDITION_VERIFICATION,
                                                   "code": "confirmed" if c.is_signed else "provisional"}]},
                "category": [{"coding": [{"system": C.CONDITION_CATEGORY, "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}]}],
                "code": {"coding": [{"system": C.CS_DIAGNOSES, "code": code, "display": label}], "text": label},
                "bodySite": [{"coding": [C.SCALP]}],
                "subject": self.patient_ref(),
                "encounter": self.encounter(c),
                "recordedDate": _date(c.consulted_on),
                "recorder": self.practitioner(c.signed_by or c.author),
                "note": [{"text": f"{rank.capitalize()} diagnosis"}],
            }, "diagnosis", f"{c.pk}-{rank}"))
        return refs

    def _observation(self, kind: str, key: object, concept: C.Concept, *, category: str, effective: str | None,
                     encounter: dict[str, str] | None, status: str = "final", **values: Any) -> dict[str, str]:
        category_display = {"exam": "Exam", "laboratory": "Laboratory"}[category]
        return self._add({
            "resourceType": "Observation",
            "identifier": [{"system": C.sid(kind), "value": str(key)}],
            "status": status,
            "category": [{"coding": [{"system": C.OBSERVATION_CATEGORY, "code": category, "display": category_display}]}],
            "code": _concept(concept),
            "subject": self.patient_ref(),
            "encounter": encounter,
            "effectiveDateTime": effective,
            **values,
        }, kind, key)

    def stage_observation(self, c: Consultation) -> dict[str, str] | None:
        code = C.SCALE_STAGE_CODES.get(c.pattern_scale)
        if not code or not c.pattern_stage:
            return None
        return self._observation("scale-stage", c.pk, C.OBS[code], category="exam", effective=_date(c.consulted_on),
                                 encounter=self.encounter(c), status="final" if c.is_signed else "preliminary",
                                 valueString=c.pattern_stage, bodySite={"coding": [C.SCALP]})

    def measurement_observations(self, m: MeasurementSet) -> list[dict[str, str]]:
        encounter = self.encounter(m.consultation) if m.consultation_id else None
        status = "preliminary" if m.consultation_id and not m.consultation.is_signed else "final"
        site_parts = [m.get_site_zone_display() if m.site_zone else "",
                      f"{_num(m.site_offset_cm)} cm behind the hairline" if m.site_offset_cm is not None else "", m.site_note]
        site = {"coding": [C.SCALP], "text": "; ".join(part for part in site_parts if part) or None}
        common = {"category": "exam", "effective": _date(m.measured_on), "encounter": encounter, "status": status}
        refs = []
        for field, code in C.MEASUREMENT_FIELDS.items():
            value = getattr(m, field)
            if value is None:
                continue
            concept = C.OBS[code]
            refs.append(self._observation(f"measurement-{code}", m.pk, concept, **common, bodySite=site,
                                          valueQuantity=_quantity(value, concept.unit, concept.unit_text)))
        if m.global_photo_score is not None:
            refs.append(self._observation("measurement-global-photo-score", m.pk, C.OBS["global-photo-score"], **common,
                                          valueInteger=m.global_photo_score))
        for code, parts in (("pull-test", (("pull-test-grasped", m.pull_grasped), ("pull-test-extracted", m.pull_extracted))),
                            ("wash-test", (("wash-test-shed", m.wash_shed_count), ("wash-test-short", m.wash_short_count)))):
            components = [{"code": _concept(C.OBS[part]), "valueQuantity": _quantity(value, C.OBS[part].unit, C.OBS[part].unit_text)}
                          for part, value in parts if value is not None]
            if components:
                refs.append(self._observation(f"measurement-{code}", m.pk, C.OBS[code], **common, component=components))
        return refs

    def lab_observation(self, lab: LabResult) -> dict[str, str]:
        consultation = lab.consultation if lab.consultation_id else None
        concept = C.LAB_CODES[lab.test]
        ucum = lab.unit if lab.unit in C.UCUM_LAB_UNITS else ""
        reference = {"low": _quantity(lab.reference_low, ucum, lab.unit), "high": _quantity(lab.reference_high, ucum, lab.unit),
                     "text": "Laboratory's own reference range"}
        effective = lab.collected_on or (consultation.consulted_on if consultation else None)
        return self._observation(
            "lab-result", lab.pk, concept, category="laboratory", effective=_date(effective),
            encounter=self.encounter(consultation) if consultation else None,
            status="preliminary" if consultation and not consultation.is_signed else "final",
            valueQuantity=_quantity(lab.value, ucum, lab.unit),
            referenceRange=[reference] if lab.reference_low is not None or lab.reference_high is not None else [],
        )

    def add_consultation(self, c: Consultation) -> dict[str, list[dict[str, str]]]:
        """The consultation's Encounter and everything recorded in it, by document section."""
        encounter = self.encounter(c)
        observations = [ref for ref in [self.stage_observation(c)] if ref]
        measurement = MeasurementSet.objects.filter(consultation=c).select_related("consultation").first()
        if measurement is not None:
            observations += self.measurement_observations(measurement)
        observations += [self.lab_observation(lab) for lab in c.lab_results.select_related("consultation").order_by("test", "id")]
        return {"encounter": [encounter], "conditions": self.conditions(c), "observations": observations}

    # Treatments ------------------------------------------------------------------------------
    def formulation_medication(self, f: Formulation) -> dict[str, str]:
        if known := self._known("Medication", "formulation", f.pk):
            return known
        ingredients = []
        for component in f.components.order_by("position", "id"):
            known = CATALOGUE.get(component.ingredient)
            name = known.name if known else _label(component.ingredient)
            strength = _strength(component.concentration, component.concentration_unit)
            ingredients.append({
                "itemCodeableConcept": {"coding": [{"system": C.CS_INGREDIENTS, "code": component.ingredient, "display": name}], "text": name},
                "isActive": True,
                "strength": strength,
            })
        return self._add({
            "resourceType": "Medication",
            "identifier": self._identifier("formulation", f.pk),
            "code": {"text": f"Personalised mesotherapy formulation ({_num(f.total_volume_ml)} mL per session)"},
            "status": "active",
            "form": {"text": "Solution for intradermal injection"},
            "ingredient": ingredients,
        }, "formulation", f.pk)

    def lot_medication(self, lot: Lot) -> dict[str, str]:
        if known := self._known("Medication", "lot", lot.pk):
            return known
        product = lot.product
        name = f"{product.name} ({product.manufacturer})" if product.manufacturer else product.name
        return self._add({
            "resourceType": "Medication",
            "identifier": self._identifier("lot", lot.pk),
            "code": {"text": name},
            "status": "inactive" if lot.is_recalled else "active",
            "form": {"text": "Solution for intradermal injection"},
            "batch": {"lotNumber": lot.lot_number, "expirationDate": _date(lot.expiry_date)},
        }, "lot", lot.pk)

    def careplan(self, course: Course) -> dict[str, str]:
        if known := self._known("CarePlan", "course", course.pk):
            return known
        appointments = Appointment.objects.filter(course_id=course.pk, patient=self.patient).order_by("starts_at", "id")
        description = (f"{course.intensive_sessions} intensive sessions every {course.interval_days} days, then "
                       f"{course.maintenance_sessions} maintenance sessions every {course.maintenance_interval_days} days, "
                       f"from {course.start_date.isoformat()}.")
        return self._add({
            "resourceType": "CarePlan",
            "identifier": self._identifier("course", course.pk),
            "status": C.COURSE_STATUS.get(course.status, "unknown"),
            "intent": "plan",
            "title": "Scalp mesotherapy course",
            "description": description,
            "subject": self.patient_ref(),
            "period": {"start": _date(course.start_date)},
            "author": self.practitioner(course.created_by),
            "addresses": self.conditions(course.consultation),
            "activity": [{"reference": self.appointment(a)} for a in appointments],
            "note": [{"text": w} for w in course.warnings if isinstance(w, str)],
        }, "course", course.pk)

    def appointment(self, a: Appointment) -> dict[str, str]:
        if known := self._known("Appointment", "appointment", a.pk):
            return known
        label = str(a.get_kind_display())
        return self._add({
            "resourceType": "Appointment",
            "identifier": self._identifier("appointment", a.pk),
            "status": C.APPOINTMENT_STATUS.get(a.status, "booked"),
            "cancelationReason": {"text": a.status_reason} if a.status_reason else None,
            "serviceType": [{"coding": [{"system": C.CS_APPOINTMENT_KINDS, "code": a.kind, "display": label}], "text": label}],
            "description": label,
            "start": _datetime(a.starts_at),
            "end": _datetime(a.ends_at),
            "minutesDuration": a.duration_minutes,
            "participant": [{"actor": self.patient_ref(), "status": "accepted"},
                            {"actor": self.practitioner(a.practitioner), "status": "accepted"}],
        }, "appointment", a.pk)

    def procedure(self, s: TreatmentSession) -> dict[str, str]:
        if known := self._known("Procedure", "session", s.pk):
            return known
        zones = []
        for point in s.injection_map or []:
            zone = _label(str(point.get("zone", ""))) if isinstance(point, dict) else ""
            if zone and zone not in zones:
                zones.append(zone)
        technique = [s.get_technique_display()]
        if s.needle_gauge:
            technique.append(f"{s.needle_gauge}G")
        if s.needle_length_mm is not None:
            technique.append(f"{_num(s.needle_length_mm)} mm needle")
        note = (f"{', '.join(technique)}; depth {_num(s.depth_mm)} mm; {s.get_injection_style_display().lower()}; "
                f"{len(s.injection_map or [])} points; total {_num(s.total_volume_ml)} mL; pain {s.pain_score}/10.")
        return self._add({
            "resourceType": "Procedure",
            "identifier": self._identifier("session", s.pk),
            "basedOn": [self.careplan(s.course)] if s.course_id else [],
            "status": "completed",
            "code": {"coding": [{"system": C.CS_PROCEDURES, "code": "scalp-mesotherapy",
                                 "display": "Scalp mesotherapy (intradermal micro-injections)"}],
                     "text": "Scalp mesotherapy session"},
            "subject": self.patient_ref(),
            "performedDateTime": _date(s.performed_on),
            "recorder": self.practitioner(s.practitioner),
            "performer": [{"actor": self.practitioner(s.practitioner)}],
            "bodySite": [{"coding": [C.SCALP], "text": "Scalp: " + ", ".join(zones) if zones else None}],
            "complication": [{"text": _label(str(r))} for r in (s.immediate_reactions or [])],
            "note": [{"text": note}] + ([{"text": s.reaction_notes}] if s.reaction_notes else []),
            "usedReference": [self.formulation_medication(s.formulation)],
        }, "session", s.pk)

    def administration(self, usage: LotUsage) -> dict[str, str]:
        s = usage.session
        return self._add({
            "resourceType": "MedicationAdministration",
            "identifier": self._identifier("lot-usage", usage.pk),
            "partOf": [self.procedure(s)],
            "status": "completed",
            "medicationReference": self.lot_medication(usage.lot),
            "subject": self.patient_ref(),
            "effectiveDateTime": _date(s.performed_on),
            "performer": [{"actor": self.practitioner(s.practitioner)}],
            "dosage": {"site": {"coding": [C.SCALP]}, "route": {"text": "Intradermal"},
                       "dose": _quantity(usage.volume_ml, "mL", "mL")},
        }, "lot-usage", usage.pk)

    def adverse_event(self, e: AdverseEvent) -> dict[str, str]:
        label = EVENT_LABELS.get(e.event_type, _label(e.event_type))
        suspects = [{"instance": self.procedure(e.session)}] if e.session_id else []
        suspects += [{"instance": self.lot_medication(lot)} for lot in e.lots.select_related("product").order_by("id")]
        paragraphs = [f"{label}, {e.severity}, onset {e.onset_date.isoformat()}"
                      + (f", resolved {e.resolved_on.isoformat()}" if e.resolved_on else "") + "."]
        paragraphs += [e.description, f"Action taken: {e.action_taken}" if e.action_taken else "",
                       f"Review: {e.review_note}" if e.review_note else ""]
        return self._add({
            "resourceType": "AdverseEvent",
            "text": _narrative(*paragraphs),
            "identifier": self._identifier("adverse-event", e.pk)[0],
            "actuality": "actual",
            "event": {"coding": [{"system": C.CS_ADVERSE_EVENTS, "code": e.event_type, "display": label}], "text": label},
            "subject": self.patient_ref(),
            "date": _date(e.onset_date),
            "recordedDate": _datetime(e.reported_at),
            "severity": {"coding": [{"system": C.AE_SEVERITY, "code": C.AE_SEVERITY_CODES.get(e.severity, e.severity)}]},
            "outcome": {"coding": [{"system": C.AE_OUTCOME, "code": "resolved" if e.resolved_on else "ongoing"}]},
            "recorder": self.practitioner(e.reported_by),
            "suspectEntity": suspects,
        }, "adverse-event", e.pk)

    def consent(self, record: ConsentRecord) -> dict[str, str]:
        events = list(record.events.order_by("at", "id"))
        withdrawn = next((ev for ev in reversed(events) if ev.kind == EventKind.WITHDRAWN), None)
        text = record.text
        return self._add({
            "resourceType": "Consent",
            "identifier": self._identifier("consent", record.pk),
            "status": "inactive" if withdrawn else "active",
            "scope": {"coding": [{"system": C.CONSENT_SCOPE, "code": "treatment" if record.purpose == "treatment" else "patient-privacy"}]},
            "category": [{"coding": [C.CONSENT_CATEGORY]},
                         {"coding": [{"system": C.CS_CONSENT_PURPOSES, "code": record.purpose, "display": str(record.get_purpose_display())}]}],
            "patient": self.patient_ref(),
            "dateTime": _datetime(record.signed_at),
            "performer": [self.patient_ref()],
            "organization": [self.organization()],
            "sourceAttachment": {"contentType": "text/plain", "language": text.language,
                                 "title": f"{text.title} (version {text.version}, {text.language})"},
            "policyRule": {"text": "Purpose-specific consent, withdrawable at any time (DPDP Act 2023)"},
            "provision": {"type": "permit", "period": {"start": _datetime(record.signed_at),
                                                        "end": _datetime(withdrawn.at) if withdrawn else None}},
        }, "consent", record.pk)

    # Photos and reports (apps built in parallel: used only when their models exist) ----------
    def media(self) -> None:
        for photo in optional_records("photos", "Photo", self.patient):
            taken = getattr(photo, "captured_at", None) or getattr(photo, "uploaded_at", None)
            self._add({
                "resourceType": "Media",
                "identifier": self._identifier("photo", photo.pk),
                "status": "completed",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/media-type", "code": "image"}]},
                "subject": self.patient_ref(),
                "createdDateTime": _datetime(taken) if isinstance(taken, dt.datetime) else None,
                "bodySite": {"coding": [C.SCALP], "text": _label(str(getattr(photo, "view", "") or "")) or None},
                "content": {"contentType": getattr(photo, "content_type", "") or "image/jpeg",
                            "title": f"photos/{photo.pk}{_suffix(photo)}"},
                # Taken by the patient at home (issue 22, item 7): not a standard clinic photograph.
                "note": [{"text": "Taken by the patient at home"}] if getattr(photo, "taken_by_patient", False) else None,
            }, "photo", photo.pk)
        for report in optional_records("outcomes", "Report", self.patient):
            created = getattr(report, "created_at", None)
            self._add({
                "resourceType": "DocumentReference",
                "identifier": self._identifier("report", report.pk),
                "status": "current",
                "type": {"text": str(getattr(report, "title", "") or "Progress report")},
                "subject": self.patient_ref(),
                "date": _datetime(created) if isinstance(created, dt.datetime) else None,
                "content": [{"attachment": {"contentType": "application/pdf", "title": f"reports/{report.pk}.pdf"}}],
            }, "report", report.pk)

    # Whole record ----------------------------------------------------------------------------
    def add_everything(self) -> None:
        p = self.patient
        self.add_patient()
        self.organization()
        for c in Consultation.objects.filter(patient=p).select_related("author", "signed_by").order_by("consulted_on", "id"):
            self.add_consultation(c)
        for m in MeasurementSet.objects.filter(patient=p, consultation__isnull=True).order_by("measured_on", "id"):
            self.measurement_observations(m)
        for lab in LabResult.objects.filter(patient=p, consultation__isnull=True).order_by("collected_on", "id"):
            self.lab_observation(lab)
        for f in Formulation.objects.filter(patient=p).order_by("created_at", "id"):
            self.formulation_medication(f)
        sessions = TreatmentSession.objects.filter(patient=p).select_related("practitioner", "formulation", "course").order_by("performed_on", "id")
        for s in sessions:
            self.procedure(s)
            for usage in LotUsage.objects.filter(session=s).select_related("lot__product", "session").order_by("id"):
                self.administration(usage)
        for course in Course.objects.filter(patient=p).select_related("consultation", "created_by").order_by("start_date", "id"):
            self.careplan(course)
        for a in Appointment.objects.filter(patient=p).select_related("practitioner").order_by("starts_at", "id"):
            self.appointment(a)
        for e in AdverseEvent.objects.filter(patient=p).select_related("reported_by", "session").order_by("onset_date", "id"):
            self.adverse_event(e)
        for record in ConsentRecord.objects.filter(patient=p).select_related("text").order_by("signed_at", "id"):
            self.consent(record)
        self.media()

    def entries(self, types: Iterable[str] = TYPE_ORDER) -> list[dict[str, Any]]:
        out = []
        for resource_type in types:
            for rid, resource in self.resources[resource_type].items():
                out.append({"fullUrl": f"urn:uuid:{rid}", "resource": resource})
        return out


def _strength(value: Decimal, unit: str) -> dict[str, Any]:
    """A concentration as a Ratio: "mg/mL" -> mg per 1 mL; "% v/v" -> a percentage."""
    if unit.startswith("%"):
        return {"numerator": {"value": _num(value), "unit": unit, "system": C.UCUM, "code": "%"}}
    numerator, slash, denominator = unit.partition("/")
    if slash and numerator and denominator and " " not in unit:
        return {"numerator": _quantity(value, numerator, numerator), "denominator": _quantity(1, denominator, denominator)}
    return {"numerator": {"value": _num(value), "unit": unit}}


def _suffix(photo: Any) -> str:
    name = str(getattr(getattr(photo, "image", None), "name", "") or getattr(getattr(photo, "file", None), "name", "") or "")
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def optional_records(app_label: str, model_name: str, patient: Patient) -> list[Any]:
    """Records of an app that may not have its model yet (photos, outcomes): [] until it does."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return []
    if not any(f.name == "patient" for f in model._meta.get_fields()):
        return []
    return list(model.objects.filter(patient=patient).order_by("pk"))


def _bundle(entries: list[dict[str, Any]], bundle_type: str, now: dt.datetime, profile: str | None = None) -> dict[str, Any]:
    for entry in entries:
        validate_resource(entry["resource"])
    bundle_id = str(uuid.uuid4())
    bundle = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"lastUpdated": _datetime(now), "profile": [profile] if profile else []},
        "identifier": {"system": C.sid("bundle"), "value": bundle_id},
        "type": bundle_type,
        "timestamp": _datetime(now),
        "entry": entries,
    }
    return _dump(validate_resource(_clean(bundle)))


def patient_bundle_dict(patient: Patient, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The patient's whole record as a validated FHIR R4B ``collection`` Bundle (no audit)."""
    builder = Builder(patient)
    builder.add_everything()
    return _bundle(builder.entries(), "collection", now or timezone.now())


def consultation_document_dict(consultation: Consultation, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """A signed consultation as an ABDM-style document Bundle, Composition first (no audit)."""
    if not consultation.is_signed:
        raise NotSigned(gettext("Only a signed consultation can be shared as a document."))
    patient = consultation.patient
    b = Builder(patient)
    b.add_patient()
    parts = b.add_consultation(consultation)
    medications = [b.formulation_medication(f) for f in consultation.formulations.order_by("created_at", "id")]
    plans = [b.careplan(course) for course in consultation.courses.order_by("start_date", "id")]
    c = consultation
    history = [
        f"Presenting complaint: {c.presenting_complaint}" if c.presenting_complaint else "",
        f"Duration: {c.complaint_duration_months} months" if c.complaint_duration_months else "",
        f"Recent illness, fever or surgery: {c.history_illness}" if c.history_illness else "",
        f"Stress: {c.history_stress}" if c.history_stress else "",
        f"Childbirth: {c.history_childbirth_months_ago} months ago" if c.history_childbirth_months_ago is not None else "",
        "Menopause" if c.history_menopause else "",
        f"Diet: {c.history_diet}" if c.history_diet else "",
        f"Family history: {c.family_history}" if c.family_history else "",
        f"Current medicines: {c.medicines}" if c.medicines else "",
    ]
    allergies = [", ".join(_label(a) for a in c.allergy_ingredients or []), c.allergies_other]

    def section(key: str, title: str, entries: list[dict[str, str]], paragraphs: list[str] = ()) -> dict[str, Any]:
        code, display = C.SECTION[key]
        return {"title": title, "code": {"coding": [{"system": C.SNOMED, "code": code, "display": display}]},
                "text": _narrative(*paragraphs) if any(paragraphs) else None, "entry": entries}

    sections = [
        section("chief_complaints", "Chief complaints and diagnosis", parts["conditions"], [c.presenting_complaint]),
        section("medical_history", "Medical history", [], history) if any(history) else None,
        section("allergies", "Allergies", [], [a for a in allergies if a]) if any(allergies) else None,
        section("observations", "Scalp examination and blood results", parts["observations"]) if parts["observations"] else None,
        section("medications", "Formulation", medications) if medications else None,
        section("follow_up", "Treatment course", plans) if plans else None,
    ]
    sections = [s for s in sections if s and (s.get("entry") or s.get("text"))]
    if not sections:
        sections = [section("chief_complaints", "Chief complaints and diagnosis", [], ["No complaint recorded."])]
    author = b.practitioner(c.signed_by or c.author)
    b._add({
        "resourceType": "Composition",
        "identifier": {"system": C.sid("document"), "value": f"consultation-{c.pk}"},
        "status": "final",
        "type": {"coding": [C.OP_CONSULT_TYPE], "text": "OP consultation record"},
        "subject": b.patient_ref(),
        "encounter": parts["encounter"][0],
        "date": _datetime(c.signed_at) or _date(c.consulted_on),
        "author": [author],
        "title": "Consultation record",
        "attester": [{"mode": "legal", "time": _datetime(c.signed_at), "party": author}],
        "custodian": b.organization(),
        "section": sections,
    }, "composition", c.pk)
    return _bundle(b.entries(("Composition", *TYPE_ORDER)), "document", now or timezone.now(), C.PROFILE["Bundle"])
