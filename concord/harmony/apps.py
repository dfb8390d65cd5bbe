from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarmonyConfig(AppConfig):
    name = "concord.harmony"
    label = "harmony"
    verbose_name = _("Harmonious enterprises")

    def ready(self):
        from concord.core import audit
        from concord.core.audit import register_audited
        from concord.disputes.services import collective_case_filed

        from . import periodic, services  # noqa: F401  (jobs)
        from .models import (
            Certification, CountyReview, EnterpriseClass, Evaluation, Indicator, IndicatorGroup, IndicatorScore, Objection,
            Round, Standard, Survey, SurveyQuestion, Tier, VetoEvent, VetoItem,
        )

        for model in (Certification, CountyReview, EnterpriseClass, Evaluation, Indicator, IndicatorGroup, IndicatorScore,
                      Objection, Round, Standard, Survey, SurveyQuestion, Tier, VetoEvent, VetoItem):
            register_audited(model)
        # A collective case during a title's validity suspends it at once.
        collective_case_filed.connect(services.on_collective_case, dispatch_uid="harmony_collective_case")
        audit.register_verbs({f"evaluation.{t.name}": t.label for t in Evaluation.workflow.transitions.values()})
        audit.register_verbs({
            "evaluation.start": _("Application opened"), "evaluation.self_assess": _("Self-assessment saved"),
            "evaluation.objection": _("Objection lodged"), "evaluation.answer": _("Objection answered"),
            "certification.issue": _("Certified"), "certification.suspend": _("Title suspended"),
            "certification.restore": _("Title restored"), "certification.revoke": _("Title revoked"),
            "veto.record": _("Veto item recorded"), "survey.open": _("Satisfaction survey opened"),
        })
