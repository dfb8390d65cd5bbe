"""The dispute cases of an enterprise or a worker, on their 360 pages (registry.panels)."""
from django.utils.translation import gettext_lazy as _

from concord.registry import panels

from concord.core.scope import ADD, Role, can, user_roles

from . import selectors
from .models import Case


@panels.enterprise_panel(order=20)
def enterprise_cases(enterprise, user):
    data = selectors.cases_of_enterprise(enterprise, user)
    if data is None:
        return None
    # "File a case" only for staff who may file (workers file through their own form).
    can_file = can(user, Case, ADD) and (user.is_superuser or user_roles(user) != {Role.WORKER})
    return panels.Section(_("Dispute cases"), "disputes/panels/cases.html",
                          {**data, "enterprise": enterprise, "can_file": can_file})


@panels.worker_panel(order=20)
def worker_cases(worker, user):
    data = selectors.cases_of_worker(worker, user)
    if data is None:
        return None
    return panels.Section(_("Dispute cases"), "disputes/panels/cases.html", data)
