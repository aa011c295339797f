from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "anagen.safety"
    label = "safety"
    verbose_name = "Follow-up, adverse events and recall"
