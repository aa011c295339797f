from django.urls import path

from anagen.privacy import views

app_name = "privacy"

urlpatterns = [
    path("erasure/", views.erasure_list, name="erasure_list"),
    path("erasure/patients/<int:patient_id>/new/", views.erasure_new, name="erasure_new"),
    path("erasure/<int:request_id>/", views.erasure_detail, name="erasure_detail"),
]
