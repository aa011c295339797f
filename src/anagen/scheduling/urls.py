from django.urls import path

from anagen.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.day_view, name="day"),
    path("week/", views.week_view, name="week"),
    path("book/", views.book, name="book"),
    path("book/patients/", views.patient_search, name="patient_search"),
    path("appointments/<int:appointment_id>/", views.detail, name="detail"),
    path("appointments/<int:appointment_id>/move/", views.move, name="move"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/no-show/", views.no_show, name="no_show"),
    path("appointments/<int:appointment_id>/arrived/", views.arrived, name="arrived"),
    path("rooms/", views.rooms, name="rooms"),
    path("appointment-types/", views.appointment_types, name="appointment_types"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:room_id>/deactivate/", views.room_deactivate, name="room_deactivate"),
    path("rooms/<int:room_id>/reactivate/", views.room_reactivate, name="room_reactivate"),
]
