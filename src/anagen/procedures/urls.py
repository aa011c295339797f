from django.urls import path

from anagen.procedures import views

app_name = "procedures"

urlpatterns = [
    path("record/<int:appointment_id>/", views.record, name="record"),
    path("<int:session_id>/", views.detail, name="detail"),
    path("<int:session_id>/addendum/", views.addendum, name="addendum"),
    path("<int:session_id>/aftercare/", views.aftercare, name="aftercare"),
    path("<int:session_id>/aftercare/pdf/", views.aftercare_pdf, name="aftercare_pdf"),
    path("aftercare/<str:language>/edit/", views.aftercare_edit, name="aftercare_edit"),
]
