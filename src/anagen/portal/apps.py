from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "anagen.portal"
    label = "portal"
    verbose_name = "Patient portal"
