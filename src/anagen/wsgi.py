import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from anagen.private_files import restrict_umask

# A server started without ``anagen serve`` (gunicorn anagen.wsgi directly) keeps data private too.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings")

application = get_wsgi_application()

# Build the URL map now (it imports every view and builds the API's schemas, the slowest part of a
# cold start), not on the first request: with gunicorn's --preload this happens once, before the
# workers fork. It reads no database.
_url_patterns = get_resolver().url_patterns
