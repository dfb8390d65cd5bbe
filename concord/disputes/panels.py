"""The dispute cases of an enterprise or a worker, on their 360 pages (registry.panels)."""
from django.utils.translation import gettext_lazy as _

from concord.registry import panels

from . import selectors


@panels.enterprise_panel(order=20)
def enterprise_cases(enterprise, user):
    data = selectors.cases_of_enterprise(enterprise, user)
    if data is None:
        return None
    return panels.Section(_("Dispute cases"), "disputes/panels/cases.html", {**data, "enterprise": enterprise})


@panels.worker_panel(order=20)
def worker_cases(worker, user):
    data = selectors.cases_of_worker(worker, user)
    if data is None:
        return None
    return panels.Section(_("Dispute cases"), "disputes/panels/cases.html", data)
