"""Code systems and identifier systems used in Anagen's FHIR exports (documented in docs/fhir.md).

Sources: domain.md §9 (LOINC codes of the blood tests, SNOMED CT 41695006 for the scalp, UCUM
units, the ABHA identifier system and the NRCeS profiles). Where no standard code exists (hair
density, pull test, wash test, comb count, shaft diameter, scale stages and the rest of the
trichology measurements) Anagen defines its own code systems under a stable URI; the tables here
and in docs/fhir.md are the definition, and a code, once published, never changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- systems
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ABHA_NUMBER_SYSTEM = "https://healthid.abdm.gov.in"
ABHA_ADDRESS_SYSTEM = "https://healthid.abdm.gov.in/abha-address"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

ANAGEN_BASE = "https://anagen.example/fhir"
CS_OBSERVATIONS = f"{ANAGEN_BASE}/CodeSystem/anagen-observations"
CS_DIAGNOSES = f"{ANAGEN_BASE}/CodeSystem/anagen-diagnoses"
CS_INGREDIENTS = f"{ANAGEN_BASE}/CodeSystem/anagen-ingredients"
CS_PROCEDURES = f"{ANAGEN_BASE}/CodeSystem/anagen-procedures"
CS_ADVERSE_EVENTS = f"{ANAGEN_BASE}/CodeSystem/anagen-adverse-events"
CS_CONSENT_PURPOSES = f"{ANAGEN_BASE}/CodeSystem/anagen-consent-purposes"
CS_APPOINTMENT_KINDS = f"{ANAGEN_BASE}/CodeSystem/anagen-appointment-kinds"


def sid(kind: str) -> str:
    """The identifier system of one kind of Anagen record (``mrn``, ``consultation``, ...)."""
    return f"{ANAGEN_BASE}/sid/{kind}"


# NRCeS (ABDM) FHIR profiles: https://nrces.in/ndhm/fhir/r4/
NRCES = "https://nrces.in/ndhm/fhir/r4/StructureDefinition"
PROFILE = {
    "Bundle": f"{NRCES}/DocumentBundle",
    "Composition": f"{NRCES}/OPConsultRecord",
    "Patient": f"{NRCES}/Patient",
    "Practitioner": f"{NRCES}/Practitioner",
    "Organization": f"{NRCES}/Organization",
    "Encounter": f"{NRCES}/Encounter",
    "Condition": f"{NRCES}/Condition",
    "Observation": f"{NRCES}/Observation",
    "Procedure": f"{NRCES}/Procedure",
    "Medication": f"{NRCES}/Medication",
    "MedicationAdministration": f"{NRCES}/MedicationAdministration",
    "CarePlan": f"{NRCES}/CarePlan",
    "Appointment": f"{NRCES}/Appointment",
    "AdverseEvent": f"{NRCES}/AdverseEvent",
    "Consent": f"{NRCES}/Consent",
    "DocumentReference": f"{NRCES}/DocumentReference",
    "Media": f"{NRCES}/Media",
}

SCALP = {"system": SNOMED, "code": "41695006", "display": "Scalp structure"}


@dataclass(frozen=True)
class Concept:
    code: str
    display: str
    system: str = CS_OBSERVATIONS
    unit: str = ""        # UCUM code; "" for coded or integer values
    unit_text: str = ""   # the human-readable unit


# LOINC codes of the blood tests (domain.md §9), keyed by anagen.core.labs.LabTest values.
LAB_CODES: dict[str, Concept] = {
    "ferritin": Concept("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", LOINC),
    "vitamin_d_25oh": Concept("62292-8", "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma", LOINC),
    "tsh": Concept("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", LOINC),
    "zinc": Concept("5763-8", "Zinc [Mass/volume] in Serum or Plasma", LOINC),
    "vitamin_b12": Concept("2132-9", "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma", LOINC),
    "haemoglobin": Concept("718-7", "Hemoglobin [Mass/volume] in Blood", LOINC),
}
# Lab units Anagen stores are UCUM spellings already (anagen.core.labs.UNIT_FACTORS).
UCUM_LAB_UNITS = frozenset({"ng/mL", "ug/L", "pmol/L", "nmol/L", "m[IU]/L", "u[IU]/mL", "ug/dL", "umol/L", "pg/mL", "ng/L", "g/dL", "g/L"})

# The Anagen observation code system (no standard code found: domain.md §9).
OBS = {
    "hair-density": Concept("hair-density", "Hair density at the trichoscopy site", unit="/cm2", unit_text="hairs/cm2"),
    "pull-test": Concept("pull-test", "Hair pull test"),
    "pull-test-grasped": Concept("pull-test-grasped", "Pull test: hairs grasped", unit="{hairs}", unit_text="hairs"),
    "pull-test-extracted": Concept("pull-test-extracted", "Pull test: hairs extracted", unit="{hairs}", unit_text="hairs"),
    "wash-test": Concept("wash-test", "Modified wash test (5 days without shampoo)"),
    "wash-test-shed": Concept("wash-test-shed", "Wash test: hairs shed", unit="{hairs}", unit_text="hairs"),
    "wash-test-short": Concept("wash-test-short", "Wash test: shed hairs 3 cm or shorter", unit="{hairs}", unit_text="hairs"),
    "comb-count": Concept("comb-count", "60-second comb count", unit="{hairs}", unit_text="hairs"),
    "thin-hairs": Concept("thin-hairs", "Hairs under 30 um at the trichoscopy site", unit="%", unit_text="%"),
    "shaft-diameter": Concept("shaft-diameter", "Mean hair shaft diameter", unit="um", unit_text="um"),
    "terminal-vellus-ratio": Concept("terminal-vellus-ratio", "Terminal to vellus hair ratio", unit="1", unit_text="ratio"),
    "anagen-fraction": Concept("anagen-fraction", "Hairs in anagen", unit="%", unit_text="%"),
    "telogen-fraction": Concept("telogen-fraction", "Hairs in telogen", unit="%", unit_text="%"),
    "yellow-dots": Concept("yellow-dots", "Yellow dots (trichoscopy)", unit="{dots}", unit_text="dots"),
    "global-photo-score": Concept("global-photo-score", "Global photographic assessment (-3 to +3)"),
    "norwood-hamilton-stage": Concept("norwood-hamilton-stage", "Norwood-Hamilton stage"),
    "ludwig-stage": Concept("ludwig-stage", "Ludwig stage"),
    "sinclair-stage": Concept("sinclair-stage", "Sinclair stage"),
    "savin-stage": Concept("savin-stage", "Savin stage"),
}

# MeasurementSet field -> Anagen observation code (the single-valued measurements).
MEASUREMENT_FIELDS: dict[str, str] = {
    "density_per_cm2": "hair-density",
    "comb_count": "comb-count",
    "thin_hairs_pct": "thin-hairs",
    "mean_shaft_diameter_um": "shaft-diameter",
    "terminal_to_vellus_ratio": "terminal-vellus-ratio",
    "anagen_pct": "anagen-fraction",
    "telogen_pct": "telogen-fraction",
    "yellow_dots_count": "yellow-dots",
}

SCALE_STAGE_CODES = {
    "norwood_hamilton": "norwood-hamilton-stage",
    "ludwig": "ludwig-stage",
    "sinclair": "sinclair-stage",
    "savin": "savin-stage",
}

# Severity and outcome of adverse events (HL7 terminology).
AE_SEVERITY_CODES = {"mild": "mild", "moderate": "moderate", "severe": "severe"}

# Appointment status -> FHIR Appointment.status.
APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "in_chair": "checked-in",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}

COURSE_STATUS = {"active": "active", "completed": "completed", "stopped": "revoked"}

# Sections of the NRCeS OPConsultRecord composition (SNOMED CT codes used by the NRCeS profile).
SECTION = {
    "chief_complaints": ("422843007", "Chief complaint section"),
    "medical_history": ("371529009", "History and physical report"),
    "allergies": ("722446000", "Allergy record"),
    "observations": ("404684003", "Clinical finding"),
    "medications": ("721912009", "Medication summary document"),
    "procedures": ("371525003", "Clinical procedure report"),
    "follow_up": ("736271009", "Outpatient care plan"),
}
OP_CONSULT_TYPE = {"system": SNOMED, "code": "371530004", "display": "Clinical consultation report"}
CONSENT_CATEGORY = {"system": LOINC, "code": "59284-0", "display": "Patient Consent"}
