import os

from django.core.wsgi import get_wsgi_application

from anagen.private_files import restrict_umask

# A server started without ``anagen serve`` (gunicorn anagen.wsgi directly) keeps data private too.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings")

application = get_wsgi_application()
