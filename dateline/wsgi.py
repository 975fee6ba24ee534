"""WSGI entry point for granian, gunicorn or any WSGI server. With the page cache on
(DATELINE_PAGE_DIR), cache hits are answered in front of Django (dateline/bake/wsgi.py)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")

application = get_wsgi_application()
if getattr(settings, "DATELINE_PAGE_DIR", ""):
    from dateline.bake.wsgi import PageCache

    application = PageCache(application, settings.DATELINE_PAGE_DIR)
