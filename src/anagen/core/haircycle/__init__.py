"""Follicle-level model of the human scalp hair cycle (domain.md section 3).

Public API:

- ``simulate(params, follicles=, days=, rng=, start=)`` → ``Trajectory`` (stochastic, vectorised)
- ``mean_field(params, days=, ...)`` → ``Trajectory`` (deterministic renewal equations)
- ``observe(trajectory, ObservationParams())`` → ``Observables`` (density, shedding, wash/comb counts)
- ``personal_forecast(diagnosis, PatientBaseline(...), treatments, follow_ups)`` →
  ``PersonalForecast`` (bands, posterior, follow-up checks, ``non_responder`` flag)
- ``non_responder_check(...)``: the same follow-up checks and flag without the posterior (cheap)
- ``validation_rows()`` / ``validation_markdown()``: model versus published trials
"""

from anagen.core.haircycle.forecast import (
    Band,
    EffectPosterior,
    FollowUpCheck,
    Measurement,
    NonResponderFlag,
    NonResponderResult,
    PatientBaseline,
    PersonalForecast,
    non_responder_check,
    personal_forecast,
    untreated_band,
    untreated_ratios,
)
from anagen.core.haircycle.meanfield import mean_field, mean_field_batch
from anagen.core.haircycle.observables import Observables, ObservationParams, observe
from anagen.core.haircycle.params import (
    PHASES,
    Alopecia,
    CycleParams,
    Kenogen,
    ModelParams,
    Phase,
    Shaft,
    Shock,
    Treatment,
)
from anagen.core.haircycle.simulate import STARTS, Trajectory, simulate, simulate_replicates
from anagen.core.haircycle.treatments import (
    DIAGNOSES,
    TREATMENTS,
    TRIAL_ARMS,
    TRIAL_EVIDENCE,
    TreatmentPrior,
    UnmeasuredTreatment,
    course_prior,
    diagnosis_params,
    forecast_horizon_days,
    measured_treatments,
    treatment_prior,
)
from anagen.core.haircycle.validation import ValidationRow, validation_markdown, validation_rows

__all__ = [
    "DIAGNOSES", "PHASES", "STARTS", "TREATMENTS", "TRIAL_ARMS", "TRIAL_EVIDENCE", "UnmeasuredTreatment",
    "forecast_horizon_days", "measured_treatments", "untreated_band", "untreated_ratios",
    "Alopecia", "Band", "CycleParams", "EffectPosterior", "FollowUpCheck", "Kenogen",
    "Measurement", "ModelParams", "NonResponderFlag", "NonResponderResult", "ObservationParams", "Observables",
    "PatientBaseline", "PersonalForecast", "Phase", "Shaft", "Shock", "Trajectory", "Treatment",
    "TreatmentPrior", "ValidationRow",
    "course_prior", "diagnosis_params", "mean_field", "mean_field_batch", "non_responder_check", "observe",
    "personal_forecast", "simulate", "simulate_replicates", "treatment_prior",
    "validation_markdown", "validation_rows",
]
