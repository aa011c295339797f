"""``refresh_outlooks``: rebuild every patient outlook and course outcome that is out of date.

Run after an upgrade that changed how they are built (the pages and the worker would otherwise
catch up in batches), or after loading records from outside. Safe to run at any time.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anagen.accounts.models import Clinic
from anagen.outcomes.outlook import refresh_all


class Command(BaseCommand):
    help = "Rebuild the patient outlooks and course outcomes written since they were last built."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", type=int, help="Only this clinic (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        clinic = None
        if options["clinic"] is not None:
            clinic = Clinic.objects.filter(pk=options["clinic"]).first()
            if clinic is None:
                self.stderr.write(f"no clinic with id {options['clinic']}")
                raise SystemExit(2)
        rebuilt = refresh_all(clinic)
        self.stdout.write(f"rebuilt {rebuilt} patient outlooks in {time.monotonic() - started:.0f} s")
