from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "anagen.waitlist"
    label = "waitlist"
    verbose_name = "Waiting list for earlier times"

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use this app's models, which Django lets no
        # module import before the app registry is ready (the one in-function import this app has).
        from anagen.waitlist import receivers  # noqa: F401 - connects on import
