from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "anagen.catalog"
    label = "catalog"
    verbose_name = "Products, lots and stock"

    def ready(self) -> None:
        from anagen.catalog.seed import seed_stock
        from anagen.demo.seed import SEEDERS

        if seed_stock not in SEEDERS:
            SEEDERS.append(seed_stock)
