from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "anagen.catalog"
    label = "catalog"
    verbose_name = "Products, lots and stock"
