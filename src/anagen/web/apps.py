from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anagen.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use the apps' models, which Django lets no
        # module import before the app registry is ready.
        from anagen.web import receivers  # noqa: F401 - connects on import
