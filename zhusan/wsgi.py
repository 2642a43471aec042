import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhusan.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    # Refuse to serve as a PostgreSQL superuser or owner of the audit tables: either could rewrite the audit log.
    from audit.database_role import refuse_unsafe_database_role

    refuse_unsafe_database_role()
