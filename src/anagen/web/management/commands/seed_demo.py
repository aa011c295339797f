from django.core.management.base import BaseCommand

from anagen.demo.seed import DEMO_CLINIC_NAME, seed_demo
from anagen.outcomes.outlook import refresh_all


class Command(BaseCommand):
    help = "Seed the demo clinic (does nothing when it exists)."

    def handle(self, *args: object, **options: object) -> None:
        if seed_demo():
            self.stdout.write(f"Seeded {DEMO_CLINIC_NAME}.")
        else:
            self.stdout.write(f"{DEMO_CLINIC_NAME} exists; nothing seeded.")
        # The dashboard's outlooks, built now rather than by the first page or the worker's pass.
        refresh_all()
