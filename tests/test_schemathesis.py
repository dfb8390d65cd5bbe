"""A bounded schemathesis run over the whole OpenAPI schema (issue 13 item 23).

Every operation of /api/schema/ is called in-process (the WSGI application, no server) with data
generated from the schema, as the county administrator (a token from /api/auth/token/), over the
scope matrix's world (two towns with cases, alerts, evaluations…). Each response must not be a
server error, and must conform to the schema's description of it.

It runs in the PostgreSQL phase of ``make test`` only (the database the production profile uses;
the SQLite phase skips it). It is bounded: a fixed derandomised seed and ``SCHEMATHESIS_EXAMPLES``
examples per operation (default 5), so that a run takes a few minutes on a small machine and finds
the same cases every time."""
import os

import pytest

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(not POSTGRES, reason="the schemathesis run belongs to the PostgreSQL phase")

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))

if POSTGRES:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.specs.openapi.checks import response_schema_conformance
    from schemathesis.checks import not_a_server_error

    def openapi_document():
        """The schema /api/schema/ serves, generated here (collection needs it before a database
        exists)."""
        from drf_spectacular.generators import SchemaGenerator

        return SchemaGenerator().get_schema(request=None, public=True)

    def wsgi_application():
        """Django's WSGI handler without closing the database connection around each request (as
        the test client does): the connection holds the test's transaction."""
        from django.core import signals
        from django.core.handlers.wsgi import WSGIHandler
        from django.db import close_old_connections

        handler = WSGIHandler()

        def application(environ, start_response):
            signals.request_started.disconnect(close_old_connections)
            signals.request_finished.disconnect(close_old_connections)
            try:
                return handler(environ, start_response)
            finally:
                signals.request_started.connect(close_old_connections)
                signals.request_finished.connect(close_old_connections)

        return application

    @pytest.fixture
    def token(world, client):
        from tests.conftest import PASSWORD
        from tests.test_scope_matrix import samples

        samples(world)  # records of every kind for the routes to find
        response = client.post("/api/auth/token/", {"username": world.admin.username, "password": PASSWORD})
        assert response.status_code == 200, response.content
        return response.json()["token"]

    def run_operation(operation, mode, headers, app):
        """EXAMPLES generated cases of one operation (one world for all: building it per operation
        would cost more than the run). Returns the failure, or None."""
        from schemathesis import GenerationMode

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=False,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def run(case):
            response = case.call(headers=headers, app=app)
            checks = [not_a_server_error] + ([response_schema_conformance] if mode == "positive" else [])
            case.validate_response(response, checks=checks)

        try:
            run()
        except Unsatisfiable:
            return None  # nothing to make invalid (an operation without parameters or body, in negative mode)
        except (Exception, BaseExceptionGroup) as exc:  # a failed check, with schemathesis' reproduction
            return f"{operation.method.upper()} {operation.path} ({mode}): {str(exc)[:1500]}"
        return None

    def test_no_operation_answers_a_server_error(token):
        schema = schemathesis.openapi.from_dict(openapi_document())
        app, headers = wsgi_application(), {"Authorization": f"Token {token}"}
        failures, operations = [], 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            for mode in ("positive", "negative"):
                failure = run_operation(operation, mode, headers, app)
                if failure:
                    failures.append(failure)
        assert operations > 100
        assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)
