from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anagen.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # The web app is installed last, so this seeder runs after every app's own (rooms first).
        from anagen.billing.seed import seed_billing
        from anagen.demo.clinical import seed_programme
        from anagen.demo.seed import SEEDERS
        from anagen.outcomes.seed import seed_measurements
        from anagen.photos.seed import seed_photos
        from anagen.portal.seed import seed_portal

        # Photos take each patient's first and last measurement dates as visits: after the programme.
        for seeder in (seed_programme, seed_measurements, seed_photos, seed_billing, seed_portal):
            if seeder not in SEEDERS:
                SEEDERS.append(seeder)
