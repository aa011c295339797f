from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "anagen.privacy"
    label = "privacy"
    verbose_name = "Privacy: erasure requests and record retention"
