from django.urls import path

from anagen.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("patients/<int:patient_id>/", views.progress, name="progress"),
    path("patients/<int:patient_id>/measurements/new/", views.record_measurements, name="record_measurements"),
    path("patients/<int:patient_id>/visits/<int:visit_id>/void/", views.void_visit, name="void_visit"),
    path("patients/<int:patient_id>/charts/<str:chart>.svg", views.chart_svg, name="chart_svg"),
    path("patients/<int:patient_id>/reports/", views.generate, name="generate_report"),
    path("reports/<int:report_id>/download/", views.download, name="download_report"),
    path("reports/<int:report_id>/share/", views.share, name="share_report"),
    path("clinic/", views.clinic, name="clinic"),
    path("clinic/<str:table>.csv", views.clinic_csv, name="clinic_csv"),
]
