from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarmonyConfig(AppConfig):
    name = "concord.harmony"
    label = "harmony"
    verbose_name = _("Harmonious enterprises")

    def ready(self):
        from concord.core import audit, navigation
        from concord.core.audit import register_audited
        from concord.core.scope import STAFF_ROLES, Role
        from concord.disputes.services import collective_case_filed

        from . import attention, panels, periodic, services  # noqa: F401  (home items, 360 section, jobs)
        from .models import (
            Certification, CountyReview, EnterpriseClass, Evaluation, EvaluationEvidence, Indicator, IndicatorGroup,
            IndicatorScore, Objection, Round, Standard, Survey, SurveyQuestion, Tier, VetoEvent, VetoItem,
        )

        for model in (Certification, CountyReview, EnterpriseClass, Evaluation, EvaluationEvidence, Indicator, IndicatorGroup,
                      IndicatorScore, Objection, Round, Standard, Survey, SurveyQuestion, Tier, VetoEvent, VetoItem):
            register_audited(model)
        # A collective case during a title's validity suspends it at once.
        collective_case_filed.connect(services.on_collective_case, dispatch_uid="harmony_collective_case")
        # Certificates keep the day of their first later case and alert (the measures count by them).
        from django.db.models.signals import post_delete, post_save

        from concord.alerts.models import Alert
        from concord.disputes.models import Case
        for model in (Case, Alert):
            post_save.connect(services.refresh_later_on, sender=model, dispatch_uid=f"harmony_later_save_{model.__name__}")
            post_delete.connect(services.refresh_later_on, sender=model, dispatch_uid=f"harmony_later_delete_{model.__name__}")
        post_save.connect(services.refresh_later_on, sender=Certification, dispatch_uid="harmony_later_certificate")
        audit.register_verbs({f"evaluation.{t.name}": t.label for t in Evaluation.workflow.transitions.values()})
        from concord.core import workdays

        workdays.register_recompute(services.recompute_deadlines)
        audit.register_verbs({
            services.PUBLICITY_RECOMPUTED_VERB: _("Publicity period recomputed (working-day calendar)"),
            "evaluation.start": _("Application opened"), "evaluation.self_assess": _("Self-assessment saved"),
            "evaluation.objection": _("Objection lodged"), "evaluation.answer": _("Objection answered"),
            "certification.issue": _("Certified"), "certification.suspend": _("Title suspended"),
            "certification.restore": _("Title restored"), "certification.recheck": _("Re-check"), "certification.revoke": _("Title revoked"),
            "veto.record": _("Veto item recorded"), "survey.open": _("Satisfaction survey opened"),
        })
        navigation.register("harmony", [
            navigation.Item(_("Creation rounds"), "harmony:round_list", Round),
            navigation.Item(_("Applications"), "harmony:evaluation_list", Evaluation),
            navigation.Item(_("Apply for a title"), "harmony:evaluation_apply", Evaluation,
                            roles=frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER})),
            navigation.Item(_("Certificates"), "harmony:certification_list", Certification),
            navigation.Item(_("Publicity"), "harmony:publicity"),
            navigation.Item(_("Standards"), "harmony:standard_list", Standard),
            navigation.Item(_("Tiers"), "harmony:tier_list", Tier),
            navigation.Item(_("Veto events"), "harmony:vetoevent_list", VetoEvent),
            navigation.Item(_("County review tasks"), "harmony:countyreview_list", CountyReview),
            navigation.Item(_("Satisfaction surveys"), "harmony:survey_list", Survey),
            navigation.Item(_("Creation measures"), "harmony:measures", Certification, roles=STAFF_ROLES),
        ])
