from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "concord.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self):
        from concord.core import audit
        from concord.core.audit import register_audited
        from concord.disputes.services import collective_case_filed

        from . import periodic, services  # noqa: F401  (jobs)
        from . import importers  # noqa: F401
        from .models import Alert, AlertAction, LevelPolicy, RiskSignal, ScoringRule

        for model in (Alert, AlertAction, LevelPolicy, RiskSignal, ScoringRule):
            register_audited(model)
        # A collective case is a red signal at once (issue: "at once for a collective case").
        collective_case_filed.connect(services.on_collective_case, dispatch_uid="alerts_collective_case")
        audit.register_verbs({f"alert.{t.name}": t.label for t in Alert.workflow.transitions.values()})
        audit.register_verbs({
            "alert.raise": _("Alert raised"), services.SIGNAL_VERB: _("Risk signal"),
            services.LEVEL_VERB: _("Risk level changed"),
        })
