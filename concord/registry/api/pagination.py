"""API paging for the county-sized lists (workers, employments): page numbers as everywhere else,
but no ``count``. It reads one row past the page to know whether a next page exists, because
counting 1.2 million filtered rows would cost more than serving the page.

Response: ``{"next": url or null, "previous": url or null, "results": [...]}``; ``?page=N`` and
``?page_size=N`` (at most 500) as on the other routes; a page past the end is 404."""
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ..tables import NoCountPaginator


class NoCountPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = NoCountPaginator
    last_page_strings = ()
    template = None  # the browsable API's page-number bar needs the last page

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"].pop("count", None)
        out["required"] = ["results"]
        return out
