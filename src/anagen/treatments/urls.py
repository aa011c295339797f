from django.urls import path

from anagen.treatments import views

app_name = "treatments"

urlpatterns = [
    path("formulations/new/<int:patient_id>/", views.formulation_new, name="formulation_new"),
    path("formulations/check/<int:patient_id>/", views.formulation_check, name="formulation_check"),
    path("formulations/<int:formulation_id>/", views.formulation_detail, name="formulation"),
    path("courses/new/<int:patient_id>/", views.course_new, name="course_new"),
    path("courses/preview/<int:patient_id>/", views.course_preview, name="course_preview"),
    path("courses/<int:course_id>/", views.course_detail, name="course"),
    path("courses/<int:course_id>/replan/", views.replan, name="replan"),
]
