"""The ``patients`` URL namespace: the registry's pages (``anagen.patients``) and the patient page,
which gathers every clinical app and so lives in the shell (``web.patient_page``)."""

from django.urls import path

from anagen.patients.urls import urlpatterns as registry_urlpatterns
from anagen.web import patient_page, patient_views

app_name = "patients"

urlpatterns = [
    *registry_urlpatterns,
    path("<int:patient_id>/", patient_page.patient_detail, name="detail"),
    # The record's tabs that gather several apps (issue 20).
    path("<int:patient_id>/consultations/", patient_views.consultations, name="consultations"),
    path("<int:patient_id>/course/", patient_views.course, name="course"),
    path("<int:patient_id>/data/", patient_views.data, name="data"),
]
