from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "anagen.booking"
    label = "booking"
    verbose_name = "Online booking"
