"""The harmonious-enterprise section of the enterprise 360 page (registry.panels): titles held, the
current round's application and veto events; three queries whatever the enterprise's history (and
one per kind of record the veto events name, to scope their descriptions)."""
from django.utils.translation import gettext_lazy as _

from concord.core.scope import ADD, can
from concord.registry import panels

from . import selectors
from .models import Certification, Evaluation, VetoEvent

ROWS = 10


@panels.enterprise_panel(order=40)
def enterprise_harmony(enterprise, user):
    if not can(user, Certification):
        return None
    titles = list(Certification.objects.visible_to(user).filter(enterprise=enterprise).select_related("tier")
                  .order_by("-certified_on", "-pk")[:ROWS])
    evaluation = (Evaluation.objects.visible_to(user).filter(enterprise=enterprise, round__is_open=True)
                  .select_related("round", "tier").order_by("-round__year").first())
    vetoes = None
    if can(user, VetoEvent):
        vetoes = selectors.scope_veto_descriptions(
            VetoEvent.objects.visible_to(user).filter(enterprise=enterprise).select_related("item")
            .order_by("-occurred_on", "-pk")[:ROWS], user)
    may_apply = evaluation is None and can(user, Evaluation, ADD)
    return panels.Section(_("Harmonious enterprise"), "harmony/panels/enterprise.html",
                          {"titles": titles, "evaluation": evaluation, "vetoes": vetoes, "enterprise": enterprise,
                           "may_apply": may_apply})
