from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "anagen.consents"
    label = "consents"
    verbose_name = "Consents"
