from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "anagen.reminders"
    label = "reminders"
    verbose_name = "Reminders"
