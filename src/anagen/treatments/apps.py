from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "anagen.treatments"
    label = "treatments"
    verbose_name = "Formulations and courses"

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use the app's models, which Django lets no
        # module import before the app registry is ready.
        from anagen.treatments import receivers  # noqa: F401 - connects on import
