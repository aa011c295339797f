from django.urls import path

from anagen.safety import views

app_name = "safety"

urlpatterns = [
    path("followups/", views.followups, name="followups"),
    path("followups/<int:task_id>/", views.record_followup, name="record_followup"),
    path("patients/<int:patient_id>/events/", views.patient_events, name="patient_events"),
    path("patients/<int:patient_id>/events/report/", views.report_event, name="report_event"),
    path("events/review/", views.review_queue, name="review_queue"),
    path("events/<int:event_id>/", views.event, name="event"),
    path("events/<int:event_id>/resolve/", views.resolve_event, name="resolve_event"),
    path("events/<int:event_id>/review/", views.review_event, name="review_event"),
    path("sessions/<int:session_id>/draw-review/", views.review_session_draw, name="review_session_draw"),
    path("lots/<int:lot_id>/recipients/", views.lot_recipients, name="lot_recipients"),
    path("lots/<int:lot_id>/recipients.csv", views.lot_recipients_csv, name="lot_recipients_csv"),
    path("clusters/", views.clusters, name="clusters"),
]
