from django.urls import path

from anagen.photos import hair_views, views

app_name = "photos"

urlpatterns = [
    path("patients/<int:patient_id>/", views.gallery, name="gallery"),
    path("patients/<int:patient_id>/upload/", views.upload, name="upload"),
    path("patients/<int:patient_id>/compare/", views.compare, name="compare"),
    path("<int:photo_id>/image/", views.image, name="image"),
    path("<int:photo_id>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("patients/<int:patient_id>/hairs/", hair_views.start, name="hairs_start"),
    path("hair-counts/<int:count_id>/", hair_views.hair_count, name="hair_count"),
    path("hair-counts/<int:count_id>/mark/", hair_views.mark, name="hair_mark"),
    path("hair-counts/<int:count_id>/file/", hair_views.file, name="hair_file"),
    path("dermatoscopes/", hair_views.dermatoscope_list, name="dermatoscopes"),
]
