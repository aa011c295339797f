from django.urls import path

from anagen.web import patient_views

app_name = "patient_tabs"

urlpatterns = [
    path("<int:patient_id>/consultations/", patient_views.consultations, name="consultations"),
    path("<int:patient_id>/course/", patient_views.course, name="course"),
    path("<int:patient_id>/data/", patient_views.data, name="data"),
]
