from django.urls import path

from anagen.accounts import views

app_name = "accounts"

urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:user_id>/password/", views.staff_password, name="staff_password"),
    path("clinic/", views.clinic_settings, name="clinic_settings"),
    path("clinics/", views.clinic_list, name="clinic_list"),
    path("clinics/new/", views.clinic_create, name="clinic_create"),
    path("clinics/<int:clinic_id>/add-admin/", views.clinic_add_admin, name="clinic_add_admin"),
]
