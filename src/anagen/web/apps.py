from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anagen.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # The web app is installed last, so this seeder runs after every app's own (rooms first).
        from anagen.demo.clinical import seed_programme
        from anagen.demo.seed import SEEDERS

        if seed_programme not in SEEDERS:
            SEEDERS.append(seed_programme)
