"""WSGI entry point (gunicorn config.wsgi). Refuses to start without a usable key in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    from amparo.core.keys import get_keyring

    get_keyring().require_current()
