"""The registry's pages. The ``patients`` namespace also holds the patient page, which the shell
adds (``anagen.web.patient_urls``): it gathers apps above this one."""

from django.urls import path

from anagen.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/duplicate-checked/", views.duplicate_checked, name="duplicate_checked"),
]
