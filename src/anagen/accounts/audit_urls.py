"""The clinic admin's audit trail page, under its own ``audit`` namespace. It lives in accounts, not
in the audit app: it filters by staff member and checks roles, and the audit app sits below
accounts (docs/architecture.md)."""

from django.urls import path

from anagen.accounts import audit_views

app_name = "audit"

urlpatterns = [path("", audit_views.trail, name="trail")]
