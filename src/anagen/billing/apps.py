from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "anagen.billing"
    label = "billing"
    verbose_name = "Packages, invoices and payments"

    def ready(self) -> None:
        # Imported here, not at the top: the receivers use the app's models, which Django lets no
        # module import before the app registry is ready.
        from anagen.billing import receivers  # noqa: F401 - connects on import
