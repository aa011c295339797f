from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "anagen.consents"
    label = "consents"
    verbose_name = "Consents"

    def ready(self) -> None:
        from anagen.consents.seed import seed_consents
        from anagen.demo.seed import SEEDERS

        if seed_consents not in SEEDERS:
            SEEDERS.append(seed_consents)
