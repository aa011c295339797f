"""The audit trail pages under /audit/ (namespace ``audit``). They live in the privacy app: they
name patients and staff, so they sit above the patient registry and the accounts (the audit app
itself sits below both, docs/architecture.md)."""

from django.urls import path

from anagen.privacy import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_trail, name="trail"),
    path("export.csv", views.audit_trail_csv, name="trail_csv"),
]
