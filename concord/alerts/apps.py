from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "concord.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self):
        from concord.core import audit, navigation
        from concord.core.audit import register_audited
        from concord.core.scope import STAFF_ROLES
        from concord.disputes.services import collective_case_filed

        from . import attention, panels, periodic, services  # noqa: F401  (home items, 360 section, jobs)
        from . import importers  # noqa: F401
        from .models import Alert, AlertAction, EnterpriseRisk, LevelPolicy, RiskSignal, ScoringRule

        for model in (Alert, AlertAction, LevelPolicy, RiskSignal, ScoringRule):
            register_audited(model)
        # A collective case is a red signal at once (issue: "at once for a collective case").
        collective_case_filed.connect(services.on_collective_case, dispatch_uid="alerts_collective_case")
        audit.register_verbs({f"alert.{t.name}": t.label for t in Alert.workflow.transitions.values()})
        audit.register_verbs({
            "alert.raise": _("Alert raised"), services.SIGNAL_VERB: _("Risk signal"),
            services.LEVEL_VERB: _("Risk level changed"),
        })
        navigation.register("alerts", [
            navigation.Item(_("Alert inbox"), "alerts:alert_list", Alert),
            navigation.Item(_("Risk table"), "alerts:risk_table", EnterpriseRisk),
            navigation.Item(_("Key-enterprise watch list"), "alerts:watch_list", EnterpriseRisk),
            navigation.Item(_("Risk signals"), "alerts:signal_list", RiskSignal),
            navigation.Item(_("Scoring rules"), "alerts:rules", ScoringRule),
            navigation.Item(_("Prevention measures"), "alerts:measures", Alert, roles=STAFF_ROLES),
        ])
