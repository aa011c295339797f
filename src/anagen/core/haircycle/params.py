"""Parameters of the follicle-level hair-cycle model, with their sources.

Every duration is in days, every diameter in micrometres, every density per cm². Durations are
lognormal, given by their mean and coefficient of variation (cv = sd / mean), as in the
stochastic automaton of Halloy et al. 2000 (PNAS 97:8328), which fitted broad, right-skewed
duration distributions to 14 years of follow-up of individual follicles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

ANAGEN, CATAGEN, TELOGEN, KENOGEN = 0, 1, 2, 3
PHASES: tuple[str, ...] = ("anagen", "catagen", "telogen", "kenogen")


@dataclass(frozen=True)
class Phase:
    """A lognormal phase duration: ``mean_days`` and coefficient of variation ``cv``."""

    mean_days: float
    cv: float

    def __post_init__(self) -> None:
        if not (self.mean_days > 0 and math.isfinite(self.mean_days)):
            raise ValueError("mean_days must be a positive number")
        if not (self.cv > 0 and math.isfinite(self.cv)):
            raise ValueError("cv must be a positive number")

    @property
    def sigma(self) -> float:
        """Shape of the underlying normal: sigma² = ln(1 + cv²)."""
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def mu(self) -> float:
        """Location of the underlying normal, chosen so the mean is ``mean_days``."""
        return math.log(self.mean_days) - 0.5 * self.sigma**2

    def scaled(self, factor: float) -> Phase:
        return Phase(self.mean_days * factor, self.cv)


@dataclass(frozen=True)
class Kenogen:
    """The empty-follicle (kenogen, latency) period after shedding, entered with ``probability``.

    Default probability 0: kenogen off, matching the issue's reference input. Rebora & Guarrera
    2002 (Dermatology 205:108) describe kenogen of about 4 months in up to 80% of normal cycles
    (``Kenogen(0.8, 120, 0.5)`` gives ~8% empty follicles at the default cycle, their normal
    figure); in androgenetic alopecia it grows longer and more frequent (16-22% of follicles,
    1-12 months; Guarrera & Rebora 2005).
    """

    probability: float = 0.0
    mean_days: float = 60.0
    cv: float = 0.5

    def __post_init__(self) -> None:
        if not (0.0 <= self.probability <= 1.0):
            raise ValueError("probability must be between 0 and 1")
        Phase(self.mean_days, self.cv)  # validates

    @property
    def phase(self) -> Phase:
        return Phase(self.mean_days, self.cv)


@dataclass(frozen=True)
class CycleParams:
    """Phase durations of one follicle's cycle.

    Defaults (domain.md section 3): anagen mean 1000 days (2.7 years; Wolfram 2003 JAAD 48:S106
    gives 2-7 years, typically 3-5), cv 0.5 (broad, Halloy 2000); catagen 14 days, cv 0.3 (1-3
    weeks, Wolfram 2003); telogen 100 days, cv 0.3 (2-4 months, Wolfram 2003); kenogen off (see
    ``Kenogen``). Steady-state fractions: anagen 89.8%, catagen 1.3%, telogen 9.0% (reviews give
    85-90%, 1-2%, 10-15%).
    """

    anagen: Phase = field(default_factory=lambda: Phase(1000.0, 0.5))
    catagen: Phase = field(default_factory=lambda: Phase(14.0, 0.3))
    telogen: Phase = field(default_factory=lambda: Phase(100.0, 0.3))
    kenogen: Kenogen = field(default_factory=Kenogen)

    def mean_durations_days(self) -> np.ndarray:
        """Expected time per cycle spent in each phase (kenogen weighted by its probability)."""
        return np.array(
            [
                self.anagen.mean_days,
                self.catagen.mean_days,
                self.telogen.mean_days,
                self.kenogen.probability * self.kenogen.mean_days,
            ]
        )

    def mean_cycle_days(self) -> float:
        return float(self.mean_durations_days().sum())

    def stationary_fractions(self) -> np.ndarray:
        """Renewal identity: share of follicles in a phase = mean time in it / mean cycle."""
        d = self.mean_durations_days()
        return d / d.sum()

    def with_effect(self, effect: float) -> CycleParams:
        """Cycle under a treatment effect ``effect`` (θ, dimensionless, see treatments.py).

        Anagen mean × e^θ; telogen and kenogen means and kenogen probability × e^-θ (capped at 1).
        """
        if effect == 0.0:
            return self
        up, down = math.exp(effect), math.exp(-effect)
        k = self.kenogen
        return replace(
            self,
            anagen=self.anagen.scaled(up),
            telogen=self.telogen.scaled(down),
            kenogen=Kenogen(min(1.0, k.probability * down), k.mean_days * down, k.cv),
        )


@dataclass(frozen=True)
class Alopecia:
    """Androgenetic-alopecia progression, cycle by cycle (Courtois 1994 Skin Pharmacol 7:84:
    anagen shortens with each new cycle, shafts miniaturise, latency lengthens).

    In cycle k (counted from the start of the simulation) the anagen mean is
    ``max(anagen_mean × anagen_shortening_per_cycle**k, min_anagen_days)`` and the mean shaft
    diameter ``diameter × miniaturisation_per_cycle**k``; k stops growing at
    ``max_progression_cycles``. The per-cycle factors are modelling choices (Courtois reports the
    direction and a typical several-cycle course to vellus, not a per-cycle rate): 0.85 and 0.9
    take a 61 µm hair below the 30 µm vellus line in about 7 cycles. Longer, more frequent
    kenogen is set through ``CycleParams.kenogen`` (Guarrera & Rebora 2005).
    """

    anagen_shortening_per_cycle: float = 0.85
    miniaturisation_per_cycle: float = 0.9
    min_anagen_days: float = 60.0
    max_progression_cycles: int = 8

    def __post_init__(self) -> None:
        if not (0 < self.anagen_shortening_per_cycle <= 1):
            raise ValueError("anagen_shortening_per_cycle must be in (0, 1]")
        if not (0 < self.miniaturisation_per_cycle <= 1):
            raise ValueError("miniaturisation_per_cycle must be in (0, 1]")
        if not self.min_anagen_days > 0:
            raise ValueError("min_anagen_days must be positive")
        if not (1 <= self.max_progression_cycles <= 50):
            raise ValueError("max_progression_cycles must be between 1 and 50")


@dataclass(frozen=True)
class Shaft:
    """Hair-shaft diameter: per-hair normal draw, mean ``mean_diameter_um`` and ``cv``.

    Defaults: 61 µm, the frontal mean in normal women (Rakowska 2009 Int J Trichol 1:123; 47 µm
    in AGA). cv 0.33 reproduces their 6% of hairs under 30 µm in normal scalps
    (Φ(-(1-30/61)/0.33) = 6.2%). Hairs under ``vellus_threshold_um`` (30 µm, the thin/vellus
    line of Rakowska 2009; TrichoScan uses 30-40) do not count as terminal.
    """

    mean_diameter_um: float = 61.0
    cv: float = 0.33
    vellus_threshold_um: float = 30.0

    def __post_init__(self) -> None:
        if not self.mean_diameter_um > 0:
            raise ValueError("mean_diameter_um must be positive")
        if not self.cv > 0:
            raise ValueError("cv must be positive")
        if not self.vellus_threshold_um >= 0:
            raise ValueError("vellus_threshold_um must be non-negative")


@dataclass(frozen=True)
class Shock:
    """Telogen-effluvium trigger: on ``day`` a ``fraction_of_anagen`` of anagen follicles enter
    catagen (Liyanage & Sinclair 2016 Cosmetics 3:13: shedding 2-4 months after the trigger)."""

    day: float
    fraction_of_anagen: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.fraction_of_anagen <= 1.0):
            raise ValueError("fraction_of_anagen must be between 0 and 1")
        if not self.day >= 0:
            raise ValueError("day must be non-negative")


@dataclass(frozen=True)
class Treatment:
    """A treatment regime from ``start_day``: phases that *begin* on or after that day use
    ``CycleParams.with_effect(effect)``; with ``halts_progression`` (5-alpha-reductase
    inhibitors) new cycles stop advancing the AGA progression counter."""

    effect: float
    start_day: float = 0.0
    halts_progression: bool = False


@dataclass(frozen=True)
class ModelParams:
    """Everything the simulator and the mean-field equations need."""

    cycle: CycleParams = field(default_factory=CycleParams)
    alopecia: Alopecia | None = None
    shaft: Shaft = field(default_factory=Shaft)
    shocks: tuple[Shock, ...] = ()
    treatment: Treatment | None = None

    @property
    def progression_cycles(self) -> int:
        """Number of distinct progression stages tracked (1 without alopecia)."""
        return 1 if self.alopecia is None else self.alopecia.max_progression_cycles + 1

    def anagen_means_days(self, effect: float = 0.0) -> np.ndarray:
        """Anagen mean for each progression stage k, under treatment effect ``effect``."""
        k = np.arange(self.progression_cycles)
        base = self.cycle.anagen.mean_days
        if self.alopecia is None:
            means = np.full(k.shape, base)
        else:
            a = self.alopecia
            means = np.maximum(base * a.anagen_shortening_per_cycle**k, a.min_anagen_days)
        return means * math.exp(effect)

    def diameters_um(self) -> np.ndarray:
        """Mean shaft diameter for each progression stage k."""
        k = np.arange(self.progression_cycles)
        m = 1.0 if self.alopecia is None else self.alopecia.miniaturisation_per_cycle
        return self.shaft.mean_diameter_um * m**k

    def terminal_probabilities(self) -> np.ndarray:
        """P(a new hair at stage k is at or above the vellus threshold), normal per-hair draw."""
        d = self.diameters_um()
        z = (d - self.shaft.vellus_threshold_um) / (self.shaft.cv * d)
        return norm_cdf(z)


def norm_cdf(x: np.ndarray | float) -> np.ndarray:
    """Standard normal CDF to full double precision (math.erfc applied element-wise; use
    ``norm_cdf_fast`` for large arrays)."""
    arr = np.asarray(x, dtype=float)
    return np.asarray(_erfc_vec(-arr / math.sqrt(2.0)) * 0.5, dtype=float)


_erfc_vec = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf_fast(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF for large arrays (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erfc = poly * np.exp(-z * z)
    return np.where(x >= 0, 1.0 - 0.5 * erfc, 0.5 * erfc)
