from django.urls import path

from anagen.interop import views

app_name = "interop"

urlpatterns = [
    path("patients/<int:patient_id>/fhir.json", views.patient_bundle, name="patient_bundle"),
    path("patients/<int:patient_id>/export.zip", views.patient_export, name="patient_export"),
    path("patients/<int:patient_id>/calendar/", views.patient_feeds, name="patient_feeds"),
    path("consultations/<int:consultation_id>/document.json", views.consultation_document, name="consultation_document"),
    path("appointments/<int:appointment_id>.ics", views.appointment_ics, name="appointment_ics"),
    path("calendar/", views.my_feeds, name="my_feeds"),
    path("calendar/<int:feed_id>/revoke/", views.revoke_feed, name="revoke_feed"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("registry/", views.registry_page, name="registry"),
    path("registry/export.csv", views.registry_export, name="registry_export"),
    path("registry/import-errors.csv", views.registry_import_errors, name="registry_import_errors"),
]
