import time

from django.core.management.base import BaseCommand, CommandError

from anagen.audit.models import AuditEntry
from anagen.demo.scale import seed_scale


class Command(BaseCommand):
    help = "Create a clinic group with realistic volumes for benchmarks (through the product's services)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--patients", type=int, default=1000)
        parser.add_argument("--clinics", type=int, default=3)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args: object, **options: int) -> None:
        if options["patients"] < 1 or options["clinics"] < 1:
            raise CommandError("--patients and --clinics must be at least 1")
        started = time.monotonic()

        def progress(done: int, sessions: int) -> None:
            if done % 500 == 0 or done == options["patients"]:
                self.stdout.write(f"{done} patients, {sessions} sessions, {time.monotonic() - started:.0f} s")

        result = seed_scale(options["patients"], options["clinics"], options["seed"], progress=progress)
        self.stdout.write(
            f"Seeded {result['patients']} patients in {result['clinics']} clinics with {result['sessions']} sessions; "
            f"{AuditEntry.objects.count()} audit entries; {time.monotonic() - started:.0f} s"
        )
