from django.urls import path

from anagen.photos import views

app_name = "photos"

urlpatterns = [
    path("patients/<int:patient_id>/", views.gallery, name="gallery"),
    path("patients/<int:patient_id>/upload/", views.upload, name="upload"),
    path("patients/<int:patient_id>/compare/", views.compare, name="compare"),
    path("<int:photo_id>/image/", views.image, name="image"),
    path("<int:photo_id>/thumbnail/", views.thumbnail, name="thumbnail"),
]
