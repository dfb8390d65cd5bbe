"""The early-warning section of the enterprise 360 page (registry.panels): level, why, last changes."""
from django.utils.translation import gettext_lazy as _

from concord.registry import panels

from . import selectors


@panels.enterprise_panel(order=30)
def enterprise_risk(enterprise, user):
    data = selectors.enterprise_panel(enterprise, user)
    if data is None:
        return None
    return panels.Section(_("Early warning"), "alerts/panels/enterprise.html", {**data, "enterprise": enterprise})
