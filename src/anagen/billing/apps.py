from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "anagen.billing"
    label = "billing"
    verbose_name = "Packages, invoices and payments"
