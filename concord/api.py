"""The REST API router: every app's viewsets, one scheme, one scope mechanism."""
from rest_framework.routers import DefaultRouter

from concord.core.api.views import RegionViewSet
from concord.alerts import api as alerts_api
from concord.disputes import api as disputes_api
from concord.harmony import api as harmony_api
from concord.registry.api.views import EmploymentViewSet, EnterpriseViewSet, WorkerViewSet


class Router(DefaultRouter):
    def get_api_root_view(self, api_urls=None):
        view = super().get_api_root_view(api_urls)
        view.cls.concord_api = True
        return view


router = Router()
router.register("regions", RegionViewSet)
router.register("enterprises", EnterpriseViewSet)
router.register("workers", WorkerViewSet)
router.register("employments", EmploymentViewSet)
disputes_api.register(router)
alerts_api.register(router)
harmony_api.register(router)
