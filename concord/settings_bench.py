"""Benchmark settings (``manage.py bench`` runs its measuring processes with these): the base
settings with the test switch on (plain static files, no HTTPS redirect), plus the stock Django
admin with plain ModelAdmins (concord/bench/admin.py) for the comparison with the registry's pages."""
import os

os.environ["CONCORD_TESTING"] = "1"

from .settings import *  # noqa: E402,F401,F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
ROOT_URLCONF = "concord.bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405  (the test client's host)
