from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "anagen.scheduling"
    label = "scheduling"
    verbose_name = "Clinic calendar"

    def ready(self) -> None:
        from anagen.demo.seed import SEEDERS
        from anagen.scheduling.demo import seed_calendar

        if seed_calendar not in SEEDERS:
            SEEDERS.append(seed_calendar)
