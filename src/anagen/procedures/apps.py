from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "anagen.procedures"
    label = "procedures"
    verbose_name = "Treatment sessions"
