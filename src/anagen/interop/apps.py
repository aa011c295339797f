from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "anagen.interop"
    label = "interop"
    verbose_name = "FHIR, iCalendar and data export"
