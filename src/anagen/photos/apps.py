from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "anagen.photos"
    label = "photos"
    verbose_name = "Standard photographs"
