"""What every demo seeder receives: the demo clinics, their staff and patients, today and one
seeded random generator (so every fresh demo is the same)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from anagen.accounts.models import Clinic, User
from anagen.patients.models import Patient


@dataclass
class SeedContext:
    clinic: Clinic
    branch: Clinic
    staff: dict[str, User]
    patients: list[Patient] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))


Seeder = Callable[[SeedContext], None]
