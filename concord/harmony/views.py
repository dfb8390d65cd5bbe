"""Harmonious-enterprise pages: the round, evaluations and their workflow, publicity, certificates."""
from concord.core import generic

from .models import Certification, Evaluation, Round


class RoundDetail(generic.ObjectDetailView):
    model = Round
    select_related = ("standard",)
    detail_fields = ("year", "name", "standard", "opens_on", "self_assessment_due", "review_due", "approval_due", "is_open")


class EvaluationDetail(generic.ObjectDetailView):
    model = Evaluation
    select_related = ("round", "enterprise", "region", "tier", "enterprise_class")
    detail_fields = ("round", "enterprise", "region", "enterprise_class", "tier", "status", "head_count", "self_score",
                     "review_score", "submitted_on", "onsite_check_on", "onsite_notes", "reviewed_on", "approved_on",
                     "publicity_from", "publicity_until", "decision_note")


class CertificationDetail(generic.ObjectDetailView):
    model = Certification
    select_related = ("enterprise", "region", "tier", "evaluation")
    detail_fields = ("number", "enterprise", "region", "tier", "certified_on", "valid_until", "next_recheck_on", "status",
                     "status_changed_on", "status_reason")
