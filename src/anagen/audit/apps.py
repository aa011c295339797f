from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "anagen.audit"
    label = "audit"
    verbose_name = "Audit trail"
