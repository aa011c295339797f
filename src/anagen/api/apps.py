from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "anagen.api"
    label = "api"
    verbose_name = "REST API"
