from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "anagen.safety"
    label = "safety"
    verbose_name = "Follow-up, adverse events and recall"

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use this app's models, which Django lets no
        # module import before the app registry is ready (the one in-function import this app has).
        from anagen.safety import receivers  # noqa: F401 - connects on import
