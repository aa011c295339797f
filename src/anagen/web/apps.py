from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anagen.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # The web app is installed last, so this seeder runs after every app's own (rooms first).
        from anagen.demo.clinical import seed_programme
        from anagen.demo.seed import SEEDERS
        from anagen.photos.seed import seed_photos

        # Photos take each patient's first and last measurement dates as visits: after the programme.
        for seeder in (seed_programme, seed_photos):
            if seeder not in SEEDERS:
                SEEDERS.append(seeder)
