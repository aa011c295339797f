from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "anagen.education"
    label = "education"
    verbose_name = "Patient education"
