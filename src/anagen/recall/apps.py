from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "anagen.recall"
    label = "recall"
    verbose_name = "Maintenance recall"
