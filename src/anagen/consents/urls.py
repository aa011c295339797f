from django.urls import path

from anagen.consents import views

app_name = "consents"

urlpatterns = [
    path("texts/", views.text_list, name="text_list"),
    path("texts/new/", views.text_publish, name="text_publish"),
    path("texts/<int:text_id>/", views.text_detail, name="text_detail"),
    path("patients/<int:patient_id>/", views.patient_consents, name="patient"),
    path("patients/<int:patient_id>/ledger/", views.patient_ledger, name="ledger"),
    path("patients/<int:patient_id>/sign/<slug:purpose>/", views.sign, name="sign"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/signature.png", views.signature_image, name="signature"),
    path("records/<int:record_id>/pdf/", views.record_pdf, name="record_pdf"),
    path("records/<int:record_id>/withdraw/", views.withdraw, name="withdraw"),
]
