from django.urls import path

from anagen.reminders import messaging_views, views

app_name = "reminders"

urlpatterns = [
    path("patients/<int:patient_id>/", views.patient_channels, name="patient"),
    path("settings/", views.protocol, name="settings"),
    path("settings/templates/", views.save_template, name="save_template"),
    path("outbox/<int:message_id>/retry/", views.retry, name="retry"),
    path("sessions/<int:session_id>/aftercare/", views.send_aftercare, name="send_aftercare"),
    path("stop/<str:token>/", views.opt_out, name="opt_out"),
    path("inbound/<str:channel>/", views.inbound, name="inbound"),
    path("settings/messaging/", messaging_views.settings_page, name="messaging"),
    path("whatsapp/webhook/", messaging_views.whatsapp_webhook, name="whatsapp_webhook"),
]
