"""Early-warning pages (views.py); the partner-file import has its own routes (import_urls.py)."""
from django.urls import path

from . import views as v

urlpatterns = [
    path("", v.AlertList.as_view(), name="alert_list"),
    path("<int:pk>/", v.AlertDetail.as_view(), name="alert_detail"),
    path("<int:pk>/actions/", v.AlertActionRecord.as_view(), name="alert_action"),
    path("<int:pk>/escalate/", v.AlertEscalate.as_view(), name="alert_escalate"),
    path("<int:pk>/close/", v.AlertClose.as_view(), name="alert_close"),
    path("risk/", v.RiskTable.as_view(), name="risk_table"),
    path("enterprises/<int:pk>/", v.EnterpriseRiskView.as_view(), name="enterprise_risk"),
    path("watch/", v.WatchList.as_view(), name="watch_list"),
    path("signals/", v.SignalList.as_view(), name="signal_list"),
    path("signals/new/", v.SignalCreate.as_view(), name="signal_create"),
    path("rules/", v.Rules.as_view(), name="rules"),
    path("rules/add/", v.ScoringRuleAdd.as_view(), name="scoringrule_add"),
    path("rules/rescore/", v.Rescore.as_view(), name="rescore"),
    path("rules/<int:pk>/edit/", v.ScoringRuleEdit.as_view(), name="scoringrule_edit"),
    path("levels/<int:pk>/edit/", v.LevelPolicyEdit.as_view(), name="levelpolicy_edit"),
    path("measures/", v.Measures.as_view(), name="measures"),
]
