"""/api/v1/: the django-ninja API (namespace "api"), its OpenAPI document and docs page.

No ``app_name`` here: ninja registers its own namespace ("api") through ``api.urls``.
"""

from django.urls import path

from anagen.api import views
from anagen.api.api import api

urlpatterns = [
    path("docs/assets/<str:name>", views.docs_asset, name="api-docs-asset"),
    path("", api.urls),
]
