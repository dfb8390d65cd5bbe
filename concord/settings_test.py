"""Test settings: the base settings with the test switch on (no SECRET_KEY needed, no HTTPS redirect)."""
import os

os.environ["CONCORD_TESTING"] = "1"

from .settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing; production keeps PBKDF2
CACHES["default"].setdefault("KEY_PREFIX", "concord-test")  # noqa: F405
