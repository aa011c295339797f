"""How long a clinical record is kept after an erasure request: a pure rule (no Django, no clock).

Source: Indian Medical Council (Professional Conduct, Etiquette and Ethics) Regulations 2002,
§1.3.1: physicians keep patients' medical records for 3 years from the commencement of
treatment. Anagen counts the years from the **last visit** (later than the commencement, so never
shorter). For a patient who was a minor, the years run from the 18th birthday if that is later.
Clinic protocol (configurable: ``ANAGEN_RECORD_RETENTION_YEARS``, default 3): clinics must check
the rules that bind them (state laws, medico-legal advice, the Clinical Establishments Act rules
of their state, insurers), which may ask for longer.
"""

from __future__ import annotations

from datetime import date

ADULT_AGE_YEARS = 18


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_ends(*, last_visit: date | None, date_of_birth: date, years: int, today: date) -> date:
    """The first day on which the clinical record may be removed.

    ``last_visit`` None (no clinical record at all) counts from ``today``.
    """
    if years < 0:
        raise ValueError("retention years cannot be negative")
    start = last_visit or today
    start = max(start, add_years(date_of_birth, ADULT_AGE_YEARS))
    return add_years(start, years)
