"""Prints the DATABASE_URL and REDIS_URL to test against, if the services answer.

Uses the environment's values when set, otherwise PostgreSQL and Redis on localhost's default ports.
Exit status: 0 when both answer, 1 otherwise (the reason goes to stderr).
"""
import os
import socket
import sys
from urllib.parse import urlparse


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


database = os.environ.get("TEST_DATABASE_URL") or (
    os.environ.get("DATABASE_URL") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
) or "postgres://postgres@127.0.0.1:5432/concord"
redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
missing = [name for name, url, port in (("PostgreSQL", database, 5432), ("Redis", redis, 6379)) if not answers(url, port)]
if missing:
    print("not answering: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
print(f"DATABASE_URL={database}")
print(f"REDIS_URL={redis}")
