from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anagen.accounts"
    label = "accounts"
    verbose_name = "Clinics and staff"
