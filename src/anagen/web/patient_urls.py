"""The ``patients`` URL namespace: the registry's pages (``anagen.patients``) and the patient page,
which gathers every clinical app and so lives in the shell (``web.patient_page``)."""

from django.urls import path

from anagen.patients.urls import urlpatterns as registry_urlpatterns
from anagen.web import patient_page

app_name = "patients"

urlpatterns = [
    *registry_urlpatterns,
    path("<int:patient_id>/", patient_page.patient_detail, name="detail"),
]
