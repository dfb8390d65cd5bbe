from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "concord.disputes"
    label = "disputes"
    verbose_name = _("Rights protection")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from concord.core import navigation
        from concord.core import audit
        from concord.core.scope import STAFF_ROLES
        from concord.core.audit import register_audited
        from concord.core.models import CalendarDay, CalendarYear

        from . import attention, meetings, panels, periodic, services  # noqa: F401  (home items, event labels, 360 sections, jobs)
        from .models import (
            Agreement, Case, CaseDocument, Claimant, Evidence, FollowUpAction, Installment, LegalSetting,
            MediationSession, TripartiteMeeting,
        )

        for model in (Case, Agreement, CaseDocument, Evidence, FollowUpAction, Installment, LegalSetting,
                      MediationSession, TripartiteMeeting):
            register_audited(model)
        register_audited(Claimant)
        for model in (CalendarDay, CalendarYear):
            post_save.connect(services.forget_calendar, sender=model, dispatch_uid=f"forget_calendar_save_{model.__name__}")
            post_delete.connect(services.forget_calendar, sender=model, dispatch_uid=f"forget_calendar_delete_{model.__name__}")
        audit.register_verbs({f"case.{t.name}": t.label for t in Case.workflow.transitions.values()})
        from concord.core import workdays

        workdays.register_recompute(services.recompute_deadlines)
        audit.register_verbs({
            services.DEADLINE_RECOMPUTED_VERB: _("Deadline recomputed (working-day calendar)"),
            "case.file": _("Filed"), "case.session": _("Mediation session"), "case.payment": _("Payment"),
            "case.evidence": _("Evidence"), "case.document": _("Document issued"),
            services.COLLECTIVE_SIGNAL_VERB: _("Collective dispute (early-warning signal)"),
        })
        navigation.register("disputes", [
            navigation.Item(_("Cases"), "disputes:case_list", Case),
            navigation.Item(_("Measures"), "disputes:measures", Case, roles=STAFF_ROLES),
            navigation.Item(_("Tripartite meetings"), "disputes:tripartitemeeting_list", TripartiteMeeting),
            navigation.Item(_("Legal parameters"), "disputes:legalsetting_list", LegalSetting),
        ])
