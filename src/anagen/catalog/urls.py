from django.urls import path

from anagen.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/lots/new/", views.lot_receive, name="lot_receive"),
    path("lots/<int:lot_id>/", views.lot_detail, name="lot_detail"),
    path("lots/<int:lot_id>/recall/", views.lot_recall, name="lot_recall"),
    path("lots/<int:lot_id>/adjust/", views.lot_adjust, name="lot_adjust"),
]
