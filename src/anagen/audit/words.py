"""What an audit entry records, in words a privacy officer or a patient reads (issue 19, finding 13).

Entries store short codes (``object_type``: ``consultation``, ``non_responder_list``, ...); pages
show these phrases instead. A code missing here reads as its words ("lot recipients"), and a test
checks that every code written by the application has a phrase.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anagen.audit.models import Action

ACTION_WORDS = {
    Action.READ.value: _("Opened"),
    Action.CREATE.value: _("Added"),
    Action.UPDATE.value: _("Changed"),
    Action.DELETE.value: _("Removed"),
    Action.EXPORT.value: _("Downloaded or exported"),
}

OBJECT_WORDS = {
    # the patient registry
    "patient": _("the patient's record"),
    "patient_list": _("a list of patients"),
    "patient_registry": _("the clinic's patient list as a file"),
    "patient_import": _("patients imported from a file"),
    "patient_export": _("all of the patient's data as a file"),
    "page_view": _("a page listing patients"),
    # consultations and consents
    "consultation": _("a consultation"),
    "consultation_addendum": _("an addendum to a consultation"),
    "measurements": _("scalp measurements"),
    "measurement_set": _("scalp measurements"),
    "lab_result": _("a blood test result"),
    "screening_acknowledgement": _("a screening caution, acknowledged"),
    "screening_deferral": _("a deferred treatment's review date"),
    "consent": _("a consent"),
    "consent_signature": _("a consent's signature"),
    "consent_text": _("a consent text"),
    "patient_consents": _("the patient's consents"),
    "patient_consent_ledger": _("the patient's consent history"),
    # treatment
    "formulation": _("a formulation"),
    "course": _("a course of sessions"),
    "appointment": _("an appointment"),
    "appointment_ics": _("an appointment as a calendar file"),
    "calendar": _("the clinic calendar"),
    "calendar_feed": _("a calendar feed"),
    "treatment_session": _("a treatment session"),
    "session_addendum": _("an addendum to a treatment session"),
    "session_draw_review": _("a review of a session's product or volumes"),
    "treatment_session_list": _("a list of treatment sessions"),
    "stock_movement": _("a stock movement"),
    # safety
    "follow_up_task": _("a follow-up call"),
    "follow_up_list": _("the list of follow-up calls"),
    "adverse_event": _("a side effect report"),
    "adverse_events": _("the patient's side effect reports"),
    "adverse_event_form": _("the side effect report form"),
    "adverse_event_list": _("the list of side effect reports"),
    "lot_recipients": _("the patients treated from one lot"),
    "infection_clusters": _("the infection cluster alerts"),
    # photographs and outcomes
    "photo": _("a photograph"),
    "photo_thumbnail": _("a photograph (small)"),
    "photo_metadata": _("a photograph's details"),
    "photo_gallery": _("the patient's photographs"),
    "home_photos": _("the photographs the patient took at home"),
    "hair_count": _("a hair count on a photograph"),
    "dermatoscope": _("a dermatoscope's settings"),
    "progress": _("the patient's progress"),
    "progress_report": _("a progress report"),
    "progress_report_download": _("a progress report"),
    "non_responder_list": _("the list of patients who may not be responding"),
    # exports
    "export": _("a document as a file"),
    "fhir_bundle": _("the patient's record in FHIR format"),
    "fhir_document": _("a consultation in FHIR format"),
    # billing
    "invoice": _("an invoice"),
    "invoices": _("the list of invoices"),
    "receipt": _("a receipt"),
    "payment": _("a payment"),
    "payment_link": _("a payment link"),
    "refund": _("a refund"),
    "package": _("a package of sessions"),
    "packages": _("the list of packages"),
    "price_item": _("a price list item"),
    "billing_list": _("a billing list"),
    "billing": _("the billing page"),
    "reception": _("the reception page"),
    "billing_settings": _("the billing settings"),
    # reminders
    "reminder": _("a reminder"),
    "reminder_opt_in": _("the patient's reminder choices"),
    "reminder_template": _("a reminder text"),
    "reminder_settings": _("the reminder settings"),
    "messaging_account": _("the clinic's WhatsApp and SMS accounts"),
    "approved_template": _("an approved WhatsApp or SMS template"),
    # online booking by new patients
    "online_booking": _("a first consultation booked online"),
    "online_booking_settings": _("the online booking settings"),
    # the portal
    "portal_home": _("the patient's portal page"),
    "portal_access_log": _("the patient's access log"),
    "portal_account": _("the patient's portal account"),
    "portal_invitation": _("a portal invitation"),
    "portal_change_request": _("a request to change an appointment"),
    "portal_export_request": _("a request for a copy of the patient's data"),
    "portal_bills": _("the patient's bills in the portal"),
    # what the patient reports between visits
    "shedding_diary": _("the patient's shedding diary"),
    "shedding_diary_entry": _("a day of the patient's shedding diary"),
    "reported_outcomes": _("the patient's questionnaire answers"),
    "reported_outcome": _("the patient's questionnaire answer for a visit"),
    "portal_self_service": _("a session the patient moved or cancelled in the portal"),
    "recall": _("a recall of a maintenance session to book"),
    "waitlist": _("the patient's waiting list and the earlier times offered"),
    "waitlist_entry": _("a place on the waiting list for an earlier time"),
    "waitlist_offer": _("an earlier time offered from the waiting list"),
    # privacy and the clinic
    "erasure_request": _("an erasure request"),
    "audit_trail": _("the audit trail"),
    "audit_trail_export": _("the audit trail as a file"),
    "api_token": _("an API token"),
    "user_two_factor": _("a person's two-factor sign-in"),
    "user_password": _("a person's password"),
    "staff_account": _("a staff member's account"),
    "clinic": _("the clinic's details"),
    # the clinic set up from its own pages and the documents people keep (issue 20)
    "clinic_hours": _("the clinic's opening days and hours"),
    "clinic_closure": _("a day the clinic is closed"),
    "room": _("a room"),
    "appointment_durations": _("the appointment types and their durations"),
    "consent_pdf": _("a signed consent as a PDF"),
}


def object_words(object_type: str) -> str:
    return str(OBJECT_WORDS.get(object_type, object_type.replace("_", " ")))


def action_words(action: str) -> str:
    return str(ACTION_WORDS.get(action, action))
