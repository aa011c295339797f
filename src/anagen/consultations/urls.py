from django.urls import path

from anagen.consultations import views

app_name = "consultations"

urlpatterns = [
    path("new/<int:patient_id>/", views.start, name="start"),
    path("<int:consultation_id>/", views.detail, name="detail"),
    path("<int:consultation_id>/edit/", views.edit, name="edit"),
    path("<int:consultation_id>/screening/", views.screening_preview, name="screening_preview"),
    path("<int:consultation_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:consultation_id>/defer/", views.defer, name="defer"),
    path("<int:consultation_id>/addendum/", views.addendum, name="addendum"),
]
