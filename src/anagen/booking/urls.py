"""Online booking: the public pages under /book/ and the clinic admin's settings page."""

from django.urls import path

from anagen.booking import views

app_name = "booking"

urlpatterns = [
    path("book/", views.start, name="start"),
    path("book/language/", views.language, name="language"),
    path("book/<int:clinic_id>/", views.clinic_page, name="clinic"),
    path("book/<int:clinic_id>/confirm/", views.confirm, name="confirm"),
    path("book/<int:clinic_id>/another-time/", views.rechoose, name="rechoose"),
    path("book/<int:clinic_id>/booked/", views.done, name="done"),
    path("online-booking/settings/", views.settings_page, name="settings"),
]
