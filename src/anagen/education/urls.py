from django.urls import path

from anagen.education import views

app_name = "education"

urlpatterns = [
    path("options/", views.options, name="options"),
    path("faq/", views.edit_faq, name="edit_faq"),
]
