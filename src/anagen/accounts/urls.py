from django.urls import path

from anagen.accounts import security_views, views

app_name = "accounts"

urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:user_id>/password/", views.staff_password, name="staff_password"),
    path("staff/<int:user_id>/two-factor/reset/", security_views.staff_two_factor_reset, name="staff_two_factor_reset"),
    # The signed-in user's own password and two-factor sign-in.
    path("password/", security_views.own_password, name="own_password"),
    path("two-factor/", security_views.two_factor_manage, name="two_factor"),
    path("two-factor/verify/", security_views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", security_views.recovery_codes_regenerate, name="recovery_codes"),
    path("two-factor/reset/", security_views.two_factor_reset_own, name="two_factor_reset"),
    # Password reset by email.
    path("password-reset/", security_views.password_reset, name="password_reset"),
    path("password-reset/sent/", security_views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", security_views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/complete/", security_views.password_reset_complete, name="password_reset_complete"),
    path("clinic/", views.clinic_settings, name="clinic_settings"),
    path("clinic/hours/", views.opening_hours, name="opening_hours"),
    path("clinic/closures/", views.closures, name="closures"),
    path("clinic/closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path("clinics/", views.clinic_list, name="clinic_list"),
    path("clinics/new/", views.clinic_create, name="clinic_create"),
    path("clinics/<int:clinic_id>/add-admin/", views.clinic_add_admin, name="clinic_add_admin"),
]
