from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "concord.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from concord.core.audit import register_audited
        from concord.core import navigation

        from . import attention, signals  # noqa: F401  (registers home-page items and handlers)
        from . import io  # noqa: F401  (registers the import/export files of the lists)
        from .models import Employment, Enterprise, Worker

        for model in (Enterprise, Worker, Employment):
            register_audited(model)
        navigation.register(
            "registry",
            [
                navigation.Item(_("Enterprises"), "registry:enterprise_list", Enterprise),
                navigation.Item(_("Workers"), "registry:worker_list", Worker),
                navigation.Item(_("Employments"), "registry:employment_list", Employment),
            ],
        )
